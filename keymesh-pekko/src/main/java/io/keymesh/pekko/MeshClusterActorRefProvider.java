package io.keymesh.pekko;

import com.typesafe.config.ConfigValueFactory;
import java.util.function.BiFunction;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.DynamicAccess;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.cluster.ClusterActorRefProvider;
import org.apache.pekko.event.EventStream;

/**
 * Pekko's {@code cluster} actor-ref provider with a {@link ResolveCache} in front of the path
 * resolution that classic remoting does twice for every message received. Behaves as
 * {@code pekko.actor.provider = cluster} in every other respect; {@code include "keymesh-cluster"}
 * selects it.
 *
 * <p>Pekko decides whether the cluster is in use from the provider's configured name
 * ({@code cluster} or Pekko's own class name), and a subclass's name is not one of them; so this
 * provider is built with settings that name the cluster provider, which it is. Without that, the
 * remote provider it extends would treat remote death watch and deployment as used outside a
 * cluster and switch them off.
 */
public class MeshClusterActorRefProvider extends ClusterActorRefProvider {
    private final ResolveCache cache = new ResolveCache();
    private final BiFunction<String, Address, InternalActorRef> uncached = super::resolveActorRefWithLocalAddress;

    /** Called by the actor system, as for every provider. */
    public MeshClusterActorRefProvider(String systemName, ActorSystem.Settings settings, EventStream eventStream,
            DynamicAccess dynamicAccess) {
        super(systemName, asCluster(settings, dynamicAccess), eventStream, dynamicAccess);
    }

    private static ActorSystem.Settings asCluster(ActorSystem.Settings settings, DynamicAccess dynamicAccess) {
        return new ActorSystem.Settings(dynamicAccess.classLoader(),
                settings.config().withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster")),
                settings.name(), settings.setup());
    }

    @Override
    public InternalActorRef resolveActorRefWithLocalAddress(String path, Address localAddress) {
        return cache.resolve(path, localAddress, uncached);
    }
}
