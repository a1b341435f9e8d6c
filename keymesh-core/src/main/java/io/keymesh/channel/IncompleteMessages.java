package io.keymesh.channel;

/**
 * The bytes of messages that a connection's receiver holds while it assembles them, bounded over
 * all channels together by {@link ChannelConfig#maxIncompleteBytes()}. Flow control alone does
 * not bound them: a message's in-order bytes count as consumed as they arrive, so that a message
 * larger than the windows still flows, and the windows are released again (see
 * {@link ReceiveStream}). {@link Send} keeps the sender within the bound: a message starts (its
 * first byte goes) only while the messages started and not yet acknowledged in full, with it,
 * take no more than the bound — messages already started always finish, so nothing waits for
 * good. {@link Receive} holds the peer to it: more is a violation. Both ends use the same bound.
 * Units are message bytes (length prefixes not counted). Not thread-safe.
 */
final class IncompleteMessages {
    private IncompleteMessages() {}

    /** The sending side: bytes of messages started and not yet acknowledged in full. */
    static final class Send {
        private final long limit;
        private long reserved;

        Send(long limit) {
            this.limit = limit;
        }

        /** Bytes a message may still have to start now. */
        long available() {
            return limit - reserved;
        }

        /** A message of {@code n} bytes started. */
        void reserve(long n) {
            reserved += n;
        }

        /** A started message of {@code n} bytes was acknowledged in full, or its channel's reset was. */
        void release(long n) {
            reserved -= n;
        }

        long reserved() {
            return reserved;
        }
    }

    /** The receiving side: bytes of messages assembled so far and not yet complete. */
    static final class Receive {
        private final long limit;
        private long held;

        Receive(long limit) {
            this.limit = limit;
        }

        /** {@code n} more bytes of an incomplete message arrived; false if that is beyond the limit (held anyway). */
        boolean onAssembled(long n) {
            held += n;
            return held <= limit;
        }

        /** {@code n} bytes of a message left assembly: it completed, or was dropped. */
        void onReleased(long n) {
            held -= n;
        }

        long held() {
            return held;
        }
    }
}
