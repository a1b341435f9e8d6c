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
 */
public record ChannelConfig(int maxUdpPayload, int channelWindow, long connectionWindow, int sendBuffer,
        int maxMessage, long idleTimeoutNanos, String congestion, int maxChannels) {
    public static final ChannelConfig DEFAULT = new ChannelConfig(PmtuDiscovery.DEFAULT_MAX_UDP_PAYLOAD,
            ReceiveStream.DEFAULT_WINDOW, FlowControl.DEFAULT_CONNECTION_WINDOW, 4 * SendStream.DEFAULT_SEND_BUFFER,
            SendStream.DEFAULT_MAX_MESSAGE, 30_000_000_000L, "cubic", ChannelLimits.DEFAULT_MAX_CHANNELS);
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
    }

    public ChannelConfig withMaxUdpPayload(int bytes) {
        return new ChannelConfig(bytes, channelWindow, connectionWindow, sendBuffer, maxMessage, idleTimeoutNanos, congestion, maxChannels);
    }

    public ChannelConfig withCongestion(String name) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, maxMessage, idleTimeoutNanos, name, maxChannels);
    }

    public ChannelConfig withIdleTimeoutNanos(long nanos) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, maxMessage, nanos, congestion, maxChannels);
    }

    public ChannelConfig withMaxChannels(int channels) {
        return new ChannelConfig(maxUdpPayload, channelWindow, connectionWindow, sendBuffer, maxMessage, idleTimeoutNanos, congestion, channels);
    }
}
