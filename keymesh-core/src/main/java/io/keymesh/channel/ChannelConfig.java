package io.keymesh.channel;

/**
 * Settings of a {@link ChannelConnection}. Both ends must use the same windows and channel limit:
 * the sender's initial limits are the receiver's (nothing is negotiated).
 *
 * @param maxUdpPayload the largest UDP payload path-MTU discovery may try (bytes)
 * @param channelWindow per-channel receive window, and the peer's initial per-channel send limit
 * @param connectionWindow connection-wide receive window, and the peer's initial connection limit
 * @param sendBuffer bytes of unacknowledged messages a channel holds before refusing more
 * @param maxMessage the largest message
 * @param idleTimeoutNanos a connection with nothing received for this long is lost
 * @param congestion "cubic" (RFC 9438) or "newreno" (RFC 9002)
 * @param maxChannels channels the peer may have open at once on a connection, and the peer's
 *     initial limit on the channels this side opens (RFC 9000 section 4.6; see {@link ChannelLimits})
 * @param maxIncompleteBytes bytes of messages being assembled a connection holds at once, over all
 *     channels (at least {@code maxMessage}; see {@link IncompleteMessages})
 */
public record ChannelConfig(int maxUdpPayload, int channelWindow, long connectionWindow, int sendBuffer,
        int maxMessage, long idleTimeoutNanos, String congestion, int maxChannels, long maxIncompleteBytes) {
    public static final ChannelConfig DEFAULT = new ChannelConfig(PmtuDiscovery.DEFAULT_MAX_UDP_PAYLOAD,
            ReceiveStream.DEFAULT_WINDOW, FlowControl.DEFAULT_CONNECTION_WINDOW, 4 * SendStream.DEFAULT_SEND_BUFFER,
            SendStream.DEFAULT_MAX_MESSAGE, 30_000_000_000L, "cubic", ChannelLimits.DEFAULT_MAX_CHANNELS,
            FlowControl.DEFAULT_CONNECTION_WINDOW + SendStream.DEFAULT_MAX_MESSAGE);
    /** The largest {@link #maxChannels()}: a limit that fits QUIC's 2^60 with room to grow. */
    public static final int MAX_CHANNELS_LIMIT = 1 << 20;

    public ChannelConfig {
        if (maxUdpPayload < PmtuDiscovery.BASE_UDP_PAYLOAD || maxUdpPayload > 65_507) {
            throw new IllegalArgumentException("maxUdpPayload must be " + PmtuDiscovery.BASE_UDP_PAYLOAD + "..65507, got " + maxUdpPayload);
        }
        if (channelWindow < 4096 || connectionWindow < channelWindow) {
            throw new IllegalArgumentException("windows: channel >= 4096 and connection >= channel, got "
                    + channelWindow + " / " + connectionWindow);
        }
        if (sendBuffer < 4096 || maxMessage < 1 || maxMessage > SendStream.MAX_MESSAGE_LIMIT) {
            throw new IllegalArgumentException("sendBuffer >= 4096 and maxMessage 1.." + SendStream.MAX_MESSAGE_LIMIT);
        }
        if (idleTimeoutNanos < 1_000_000_000L) {
            throw new IllegalArgumentException("idle timeout must be at least 1 s");
        }
        if (!congestion.equals("cubic") && !congestion.equals("newreno")) {
            throw new IllegalArgumentException("congestion must be 'cubic' or 'newreno', got '" + congestion + "'");
        }
        if (maxChannels < 1 || maxChannels > MAX_CHANNELS_LIMIT) {
            throw new IllegalArgumentException("maxChannels must be 1.." + MAX_CHANNELS_LIMIT + ", got " + maxChannels);
        }
        if (maxIncompleteBytes < maxMessage) {
            throw new IllegalArgumentException("maxIncompleteBytes must be at least maxMessage " + maxMessage + ", got " + maxIncompleteBytes);
        }
    }

    public ChannelConfig withMaxUdpPayload(int bytes) {
        return new ChannelConfig(bytes, channelWindow, connectionWindow, sendBuffer, maxMessage, idleTimeoutNanos, congestion, maxChannels, maxIncompleteBytes);
    }

    public ChannelConfig withCongestion(String name) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, maxMessage, idleTimeoutNanos, name, maxChannels, maxIncompleteBytes);
    }

    public ChannelConfig withIdleTimeoutNanos(long nanos) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, maxMessage, nanos, congestion, maxChannels, maxIncompleteBytes);
    }

    public ChannelConfig withMaxChannels(int channels) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, maxMessage, idleTimeoutNanos, congestion, channels, maxIncompleteBytes);
    }

    /** These settings with messages of at most {@code bytes}, and at most {@code incompleteBytes} of them assembled at once. */
    public ChannelConfig withMaxMessage(int bytes, long incompleteBytes) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, bytes, idleTimeoutNanos, congestion,
                maxChannels, incompleteBytes);
    }
}
