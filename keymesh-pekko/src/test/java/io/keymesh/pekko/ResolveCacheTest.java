package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.EmptyLocalActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@link ResolveCache} remembers and what it resolves again. */
class ResolveCacheTest {
    private static ActorSystem system;
    private static final Address LOCAL_A = new Address("pekko.mesh", "s", "a", 1);
    private static final Address LOCAL_B = new Address("pekko.mesh", "s", "b", 1);

    /** Resolves with the actor system's own provider, counting the calls. */
    private static final class Counting implements BiFunction<String, Address, InternalActorRef> {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public InternalActorRef apply(String path, Address localAddress) {
            calls.incrementAndGet();
            return (InternalActorRef) ((ExtendedActorSystem) system).provider().resolveActorRef(path);
        }
    }

    static final class Idle extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().build();
        }
    }

    @BeforeAll
    static void start() {
        system = ActorSystem.create("s", ConfigFactory.parseString("pekko.actor.provider = local"));
    }

    @AfterAll
    static void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aLiveActorIsResolvedOncePerLocalAddress() {
        ActorRef actor = system.actorOf(Props.create(Idle.class), "live");
        String path = actor.path().toSerializationFormat();
        ResolveCache cache = new ResolveCache();
        Counting resolve = new Counting();
        for (int i = 0; i < 5; i++) {
            assertSame(actor, cache.resolve(path, LOCAL_A, resolve));
        }
        assertEquals(1, resolve.calls.get());
        assertSame(actor, cache.resolve(path, LOCAL_B, resolve));
        assertEquals(2, resolve.calls.get(), "another local address is another key");
        assertSame(actor, cache.resolve(new String(path.toCharArray()), LOCAL_B, resolve));
        assertEquals(2, resolve.calls.get(), "paths compare by content");
    }

    @Test
    void aPathThatResolvesToNothingIsResolvedEveryTime() throws Exception {
        String path = "pekko://s/user/later";
        ResolveCache cache = new ResolveCache();
        Counting resolve = new Counting();
        assertInstanceOf(EmptyLocalActorRef.class, cache.resolve(path, LOCAL_A, resolve));
        assertInstanceOf(EmptyLocalActorRef.class, cache.resolve(path, LOCAL_A, resolve));
        assertEquals(2, resolve.calls.get());
        ActorRef later = system.actorOf(Props.create(Idle.class), "later");
        assertSame(later, cache.resolve(path, LOCAL_A, resolve), "an actor created afterwards is found");
    }

    @Test
    void aTerminatedActorIsResolvedAgainAndItsSuccessorFound() throws Exception {
        ActorRef first = system.actorOf(Props.create(Idle.class), "reborn");
        String path = "pekko://s/user/reborn"; // no uid: whichever incarnation lives under the name
        ResolveCache cache = new ResolveCache();
        Counting resolve = new Counting();
        assertSame(first, cache.resolve(path, LOCAL_A, resolve));
        Patterns.gracefulStop(first, java.time.Duration.ofSeconds(10)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        ActorRef second = createOnceNameIsFree("reborn");
        assertSame(second, cache.resolve(path, LOCAL_A, resolve));
        assertEquals(2, resolve.calls.get());
    }

    /** The parent frees a stopped child's name a moment after the child terminated. */
    private static ActorRef createOnceNameIsFree(String name) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return system.actorOf(Props.create(Idle.class), name);
            } catch (org.apache.pekko.actor.InvalidActorNameException e) {
                if (attempt == 500) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    /** Answers every message with the sender's reference. */
    static final class WhoAsks extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> getSender().tell(getSender(), getSelf())).build();
        }
    }

    @Test
    void anAsksReplyAddressIsNotRemembered() throws Exception {
        ActorRef whoAsks = system.actorOf(Props.create(WhoAsks.class), "who-asks");
        ActorRef replyTo = (ActorRef) Patterns.ask(whoAsks, "who?", java.time.Duration.ofSeconds(10))
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
        String path = replyTo.path().toSerializationFormat();
        assertEquals("temp", replyTo.path().elements().head(), path);
        ResolveCache cache = new ResolveCache();
        Counting resolve = new Counting();
        cache.resolve(path, LOCAL_A, resolve);
        cache.resolve(path, LOCAL_A, resolve);
        assertEquals(2, resolve.calls.get(), "used once: not kept");
    }

    @Test
    void pathsSharingASlotReplaceEachOther() {
        ResolveCache cache = new ResolveCache();
        Counting resolve = new Counting();
        ActorRef x = system.actorOf(Props.create(Idle.class), "x");
        ActorRef y = system.actorOf(Props.create(Idle.class), "y");
        String px = x.path().toSerializationFormat();
        String py = y.path().toSerializationFormat();
        for (int i = 0; i < 3; i++) {
            assertSame(x, cache.resolve(px, LOCAL_A, resolve));
            assertSame(y, cache.resolve(py, LOCAL_A, resolve));
        }
        // two paths: resolved once each unless they share a slot, then every time; never the wrong actor
        int calls = resolve.calls.get();
        assertEquals(true, calls == 2 || calls == 6, "calls: " + calls);
    }
}
