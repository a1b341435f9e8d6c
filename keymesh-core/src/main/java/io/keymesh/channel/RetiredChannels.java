package io.keymesh.channel;

/**
 * The channel numbers used and finished on a {@link ChannelConnection}'s current state: a late
 * frame for one of them is dropped, and the application may not open one again. The connection
 * alone changes the set — it adds each channel it retires, and empties the set whenever it starts
 * over (the peer restarted) or ends — so the set always describes the connection as it is now.
 *
 * <p>Thread-safe: {@link #contains} may be asked from any thread, so the connection's owner can
 * refuse a retired number at its API edge without keeping a copy of its own. The connection looks
 * a number up here only when it is not a live channel, never for the channels that carry traffic.
 */
public final class RetiredChannels {
    private final RangeSet numbers = new RangeSet();

    /** True if {@code channelId} was used and finished on the connection's current state. */
    public synchronized boolean contains(long channelId) {
        return numbers.contains(channelId);
    }

    synchronized void add(long channelId) {
        numbers.add(channelId, channelId + 1);
    }

    /** The connection started over or ended: nothing is retired on what comes next. */
    synchronized void clear() {
        numbers.clear();
    }
}
