package io.keymesh.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;

/**
 * The actors of {@code bench/run pekko}. Every message is a {@code Long} (Pekko's built-in
 * primitive serializer on every transport), so the three transports carry the same bytes.
 */
final class PekkoBenchActors {
    /** Messages the flood receiver acknowledges at once. */
    static final int ACK_EVERY = 100;

    private PekkoBenchActors() {}

    /** Receiver side of the flood: counts, and answers every {@link #ACK_EVERY}th message with the count so far. */
    static final class Sink extends AbstractActor {
        private long count;

        static Props props() {
            return Props.create(Sink.class, Sink::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Long.class, m -> {
                if (++count % ACK_EVERY == 0) {
                    getSender().tell(count, getSelf());
                }
            }).build();
        }
    }

    /** Receiver side of ping-pong: answers every message with itself. */
    static final class Pong extends AbstractActor {
        static Props props() {
            return Props.create(Pong.class, Pong::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Long.class, m -> getSender().tell(m, getSelf())).build();
        }
    }

    /**
     * Sender side of the flood: keeps {@code window} messages unacknowledged; {@code acked} counts
     * the messages the receiver confirmed.
     */
    static final class Flood extends AbstractActor {
        private final ActorRef target;
        private final int window;
        private final AtomicLong acked;
        private long sent;

        Flood(ActorRef target, int window, AtomicLong acked) {
            this.target = target;
            this.window = window;
            this.acked = acked;
        }

        static Props props(ActorRef target, int window, AtomicLong acked) {
            return Props.create(Flood.class, () -> new Flood(target, window, acked));
        }

        @Override
        public void preStart() {
            fill(0);
        }

        private void fill(long confirmed) {
            while (sent - confirmed < window) {
                target.tell(sent++, getSelf());
            }
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Long.class, count -> {
                acked.set(count);
                fill(count);
            }).build();
        }
    }

    /** Sender side of ping-pong: keeps {@code outstanding} pings in flight; {@code pongs} counts answers. */
    static final class Ping extends AbstractActor {
        private final ActorRef target;
        private final int outstanding;
        private final AtomicLong pongs;

        Ping(ActorRef target, int outstanding, AtomicLong pongs) {
            this.target = target;
            this.outstanding = outstanding;
            this.pongs = pongs;
        }

        static Props props(ActorRef target, int outstanding, AtomicLong pongs) {
            return Props.create(Ping.class, () -> new Ping(target, outstanding, pongs));
        }

        @Override
        public void preStart() {
            for (long i = 0; i < outstanding; i++) {
                target.tell(i, getSelf());
            }
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Long.class, m -> {
                pongs.incrementAndGet();
                target.tell(m, getSelf());
            }).build();
        }
    }
}
