package io.keymesh.channel;

/**
 * The channel numbers used and finished on a {@link ChannelConnection}'s current state: a late
 * frame for one of them is dropped, and the application may not open one again. The connection
 * alone changes the set — it adds each channel it retires, and empties the set whenever it starts
 * over (the peer restarted) or ends — so the set always describes the connection as it is now.
 *
 * <p>Even and odd numbers are kept apart, each halved: two sides that share a number space by
 * parity (as the Pekko transport's nodes do, each opening every other number) retire runs such as
 * 0, 2, 4, ... that then collapse into one range, instead of one range per channel.
 *
 * <p>Each half keeps at most {@link #MAX_RANGES} ranges, so that a peer that retires sparse numbers
 * (0, 4, 8, ...) cannot grow the set for as long as the connection lives: beyond that, the gap
 * between the two lowest ranges is filled, and the numbers in it count as used too. As with QUIC's
 * stream ids, whose numbers below the highest opened are never new, a frame for such a number is
 * dropped and the application may not open it; numbers handed out in increasing order are not
 * affected.
 *
 * <p>Thread-safe: {@link #contains} may be asked from any thread, so the connection's owner can
 * refuse a retired number at its API edge without keeping a copy of its own. The connection looks
 * a number up here only when it is not a live channel, never for the channels that carry traffic.
 */
public final class RetiredChannels {
    /** Ranges each half holds at most (16 bytes each). */
    static final int MAX_RANGES = 1024;

    private final RangeSet even = new RangeSet();
    private final RangeSet odd = new RangeSet();

    /** True if {@code channelId} was used and finished on the connection's current state. */
    public synchronized boolean contains(long channelId) {
        return half(channelId).contains(channelId >>> 1);
    }

    synchronized void add(long channelId) {
        long h = channelId >>> 1;
        RangeSet half = half(channelId);
        half.add(h, h + 1);
        if (half.size() > MAX_RANGES) {
            half.add(half.end(0), half.start(1)); // the lowest gap: its numbers count as used
        }
    }

    /** The connection started over or ended: nothing is retired on what comes next. */
    synchronized void clear() {
        even.clear();
        odd.clear();
    }

    /** Ranges held (tests: how well the retired numbers collapse). */
    synchronized int ranges() {
        return even.size() + odd.size();
    }

    private RangeSet half(long channelId) {
        return (channelId & 1) == 0 ? even : odd;
    }
}
