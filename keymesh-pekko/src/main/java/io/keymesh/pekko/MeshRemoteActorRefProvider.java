package io.keymesh.pekko;

import java.util.function.BiFunction;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.DynamicAccess;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.event.EventStream;
import org.apache.pekko.remote.RemoteActorRefProvider;

/**
 * Pekko's {@code remote} actor-ref provider with a {@link ResolveCache} in front of the path
 * resolution that classic remoting does twice for every message received (recipient and sender).
 * Behaves as {@code pekko.actor.provider = remote} in every other respect; {@code include
 * "keymesh-remoting"} selects it.
 */
public class MeshRemoteActorRefProvider extends RemoteActorRefProvider {
    private final ResolveCache cache = new ResolveCache();
    private final BiFunction<String, Address, InternalActorRef> uncached = super::resolveActorRefWithLocalAddress;

    /** Called by the actor system, as for every provider. */
    public MeshRemoteActorRefProvider(String systemName, ActorSystem.Settings settings, EventStream eventStream,
            DynamicAccess dynamicAccess) {
        super(systemName, settings, eventStream, dynamicAccess);
    }

    @Override
    public InternalActorRef resolveActorRefWithLocalAddress(String path, Address localAddress) {
        return cache.resolve(path, localAddress, uncached);
    }
}
