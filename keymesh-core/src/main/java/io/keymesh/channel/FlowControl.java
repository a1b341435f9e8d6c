package io.keymesh.channel;

import io.keymesh.wire.DataBlockedFrame;
import io.keymesh.wire.MaxDataFrame;

/**
 * Connection-level flow control (RFC 9000 section 4.1): the sum over all channels of the highest
 * stream offsets sent may not exceed the peer's MAX_DATA. {@link Send} is the credit the peer gives
 * this side; {@link Receive} is the credit this side gives the peer. Channels charge and release
 * these through their {@link SendStream} and {@link ReceiveStream}; the connection sends and
 * receives the MAX_DATA and DATA_BLOCKED frames. Both ends must start from the same initial limit
 * (the receiver's window). Units are bytes of stream data. Not thread-safe.
 */
public final class FlowControl {
    /** A sensible connection window: room for several channels' default windows. */
    public static final long DEFAULT_CONNECTION_WINDOW = 16L << 20;

    private FlowControl() {}

    /** The sending side: how much new stream data the peer lets this side send. */
    public static final class Send {
        private long limit;
        private long sent;
        private boolean blocked;
        private long blockedReportedAt = -1;

        /** @param initialLimit the peer's initial MAX_DATA (its connection window) */
        public Send(long initialLimit) {
            if (initialLimit < 0) {
                throw new IllegalArgumentException("initial limit < 0: " + initialLimit);
            }
            this.limit = initialLimit;
        }

        /** Bytes of new stream data that may still be sent. */
        public long credit() {
            return limit - sent;
        }

        /** The peer's current MAX_DATA. */
        public long limit() {
            return limit;
        }

        /** New stream data sent so far, summed over channels. */
        public long sent() {
            return sent;
        }

        /** A MAX_DATA frame arrived; limits never shrink (section 4.1). Returns true if the credit grew. */
        public boolean onMaxData(long maximum) {
            if (maximum <= limit) {
                return false;
            }
            limit = maximum;
            blocked = false;
            return true;
        }

        /** Charges {@code n} bytes of new stream data (called by {@link SendStream}). */
        void consume(long n) {
            if (n < 0 || n > credit()) {
                throw new IllegalStateException("consuming " + n + " with credit " + credit());
            }
            sent += n;
        }

        /** A channel had new data but no credit (called by {@link SendStream}). */
        void markBlocked() {
            if (credit() == 0) {
                blocked = true;
            }
        }

        /** True if a DATA_BLOCKED frame for the current limit is due (section 4.1: SHOULD send). */
        public boolean wantsBlockedFrame() {
            return blocked && credit() == 0 && blockedReportedAt != limit;
        }

        /** Writes a due DATA_BLOCKED frame; returns its length, or 0 if none is due or it does not fit. */
        public int writeBlockedFrame(byte[] b, int off, int maxLen) {
            if (!wantsBlockedFrame() || DataBlockedFrame.frameLength(limit) > maxLen) {
                return 0;
            }
            blockedReportedAt = limit;
            return DataBlockedFrame.write(b, off, limit);
        }

        /** A packet carrying DATA_BLOCKED for {@code limitInFrame} was lost: resend while still blocked there (section 13.3). */
        public void onBlockedLost(long limitInFrame) {
            if (limitInFrame == blockedReportedAt) {
                blockedReportedAt = -1;
            }
        }
    }

    /** The receiving side: how much stream data this side lets the peer send, and when to say more. */
    public static final class Receive {
        private final long window;
        private long limit;
        private long received;
        private long consumed;
        private boolean updateLost;

        /** @param window the connection window; the initial limit, and how far ahead of consumption the limit is kept */
        public Receive(long window) {
            if (window <= 0) {
                throw new IllegalArgumentException("window <= 0: " + window);
            }
            this.window = window;
            this.limit = window;
        }

        /** The limit advertised so far. */
        public long limit() {
            return limit;
        }

        /** Highest offsets received, summed over channels. */
        public long received() {
            return received;
        }

        /** Stream data released by channels (consumed by the application or its message assembly). */
        public long consumed() {
            return consumed;
        }

        public long window() {
            return window;
        }

        /**
         * Charges {@code newBytes} of newly received stream data (growth of a channel's highest
         * offset; called by {@link ReceiveStream}).
         *
         * @return false, charging nothing, if that would exceed the advertised limit: a FLOW_CONTROL_ERROR
         */
        boolean onReceived(long newBytes) {
            if (newBytes > limit - received) {
                return false;
            }
            received += newBytes;
            return true;
        }

        /** Releases {@code n} bytes (called by {@link ReceiveStream}). */
        void onConsumed(long n) {
            consumed += n;
        }

        /** True if a MAX_DATA frame is due: half the window consumed since the last one (section 4.2), or the last one was lost. */
        public boolean wantsMaxDataFrame() {
            return updateLost || consumed + window - limit >= window / 2;
        }

        /** Writes a due MAX_DATA frame; returns its length, or 0 if none is due or it does not fit. */
        public int writeMaxDataFrame(byte[] b, int off, int maxLen) {
            if (!wantsMaxDataFrame()) {
                return 0;
            }
            long next = Math.max(limit, consumed + window);
            if (MaxDataFrame.frameLength(next) > maxLen) {
                return 0;
            }
            limit = next;
            updateLost = false;
            return MaxDataFrame.write(b, off, next);
        }

        /** A packet carrying MAX_DATA {@code value} was lost: send the current limit again unless a newer one went out. */
        public void onMaxDataLost(long value) {
            if (value == limit) {
                updateLost = true;
            }
        }
    }
}
