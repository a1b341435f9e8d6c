package io.keymesh.pekko;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Props;

/** Actors the tests talk to on remote actor systems; messages are strings, integers and byte arrays. */
final class TestActors {
    private TestActors() {}

    /** Replies with what it got. */
    static final class Echo extends AbstractActor {
        static Props props() {
            return Props.create(Echo.class, Echo::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
        }
    }

    /**
     * Counts integers and checks they come 0, 1, 2, ... per sender; "report" replies
     * "received N in order" or "received N, first out of order at index I: got X".
     */
    static final class Sequence extends AbstractActor {
        private int count;
        private String outOfOrder;

        static Props props() {
            return Props.create(Sequence.class, Sequence::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Integer.class, i -> {
                        if (i != count && outOfOrder == null) {
                            outOfOrder = ", first out of order at index " + count + ": got " + i;
                        }
                        count++;
                    })
                    .matchEquals("report", m -> getSender().tell(
                            "received " + count + (outOfOrder == null ? " in order" : outOfOrder), getSelf()))
                    .build();
        }
    }

    /** Replies to a byte array with "LENGTH SHA-256-HEX". */
    static final class Digest extends AbstractActor {
        static Props props() {
            return Props.create(Digest.class, Digest::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, b -> getSender().tell(describe(b), getSelf())).build();
        }
    }

    /** "LENGTH SHA-256-HEX" of {@code bytes}. */
    static String describe(byte[] bytes) {
        try {
            return bytes.length + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
