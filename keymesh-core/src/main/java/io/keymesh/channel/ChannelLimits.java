package io.keymesh.channel;

import io.keymesh.wire.MaxStreamsFrame;

/**
 * Stream limits (RFC 9000 section 4.6) for channels: how many channels each side may open on a
 * connection state. A side opens a channel with its first STREAM or RESET_STREAM frame on that
 * number — whichever side used the number first; two sides that both send on a number have each
 * opened it, and each counts against the other's limit. Both counts are cumulative over the
 * connection state, as QUIC's are, but channel numbers are the application's, so a limit counts
 * channels, not numbers. {@link Send} is the limit the peer gives this side; {@link Receive} is
 * the limit this side gives the peer, raised (MAX_STREAMS) as the channels the peer opened retire.
 * Both ends start from the same initial limit ({@link ChannelConfig#maxChannels()}). Not thread-safe.
 */
final class ChannelLimits {
    /** A sensible number of channels the peer may have open at once on a connection. */
    static final int DEFAULT_MAX_CHANNELS = 1024;

    private ChannelLimits() {}

    /** The opening side: how many channels the peer lets this side open. */
    static final class Send {
        private long limit;
        private long opened;

        /** @param initialLimit the peer's initial limit (its {@link ChannelConfig#maxChannels()}) */
        Send(long initialLimit) {
            this.limit = initialLimit;
        }

        /** True if one more channel may be opened now. */
        boolean canOpen() {
            return opened < limit;
        }

        /** A channel was opened (its first frame written); the caller checked {@link #canOpen()}. */
        void open() {
            if (opened >= limit) {
                throw new IllegalStateException("opening channel " + (opened + 1) + " beyond the peer's limit " + limit);
            }
            opened++;
        }

        /** A MAX_STREAMS frame arrived; limits never shrink (section 19.11). Returns true if it grew. */
        boolean onMaxStreams(long maximum) {
            if (maximum <= limit) {
                return false;
            }
            limit = maximum;
            return true;
        }

        long limit() {
            return limit;
        }

        long opened() {
            return opened;
        }
    }

    /** The accepting side: how many channels this side lets the peer open, and when to say more. */
    static final class Receive {
        private final long maxOpen;
        private long limit;
        private long opened;
        private long retired;
        private boolean updateLost;

        /** @param maxOpen channels the peer may have open at once: the initial limit, and how far above the retired ones it is kept */
        Receive(long maxOpen) {
            this.maxOpen = maxOpen;
            this.limit = maxOpen;
        }

        /**
         * The peer opened a channel (its first STREAM or RESET_STREAM frame on a number).
         *
         * @return false, counting nothing, if that is beyond the limit advertised: a STREAM_LIMIT_ERROR
         */
        boolean onOpened() {
            if (opened >= limit) {
                return false;
            }
            opened++;
            return true;
        }

        /** A channel the peer opened retired: one more may be opened. */
        void onRetired() {
            retired++;
        }

        /** True if a MAX_STREAMS frame is due: half of {@code maxOpen} retired since the last one, or the last one lost. */
        boolean wantsMaxStreamsFrame() {
            return updateLost || retired + maxOpen - limit >= Math.max(1, maxOpen / 2);
        }

        /** Writes a due MAX_STREAMS frame; returns its length, or 0 if none is due or it does not fit. */
        int writeMaxStreamsFrame(byte[] b, int off, int maxLen) {
            if (!wantsMaxStreamsFrame()) {
                return 0;
            }
            long next = Math.max(limit, retired + maxOpen);
            if (MaxStreamsFrame.frameLength(next) > maxLen) {
                return 0;
            }
            limit = next;
            updateLost = false;
            return MaxStreamsFrame.write(b, off, next);
        }

        /** A packet carrying MAX_STREAMS {@code value} was lost: send the current limit again unless a newer one went out. */
        void onMaxStreamsLost(long value) {
            if (value == limit) {
                updateLost = true;
            }
        }

        /** The limit advertised so far. */
        long limit() {
            return limit;
        }

        /** Channels the peer opened, in all. */
        long opened() {
            return opened;
        }

        /** Channels the peer opened that are open now (not retired). */
        long open() {
            return opened - retired;
        }
    }
}
