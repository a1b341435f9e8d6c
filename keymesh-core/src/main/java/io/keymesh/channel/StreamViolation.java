package io.keymesh.channel;

/**
 * Why a {@link ReceiveStream} refused what its peer sent. Each is a connection error: the
 * connection closes with {@link #transportErrorCode()} (RFC 9000 section 20.1).
 */
public enum StreamViolation {
    /** Data beyond the limit this side advertised (RFC 9000 section 4.1). */
    FLOW_CONTROL(0x03),
    /** Data beyond the final size, a changed final size, or a final size below data already received (section 4.5). */
    FINAL_SIZE(0x06),
    /** A message length prefix above the configured maximum message size. */
    MESSAGE_TOO_LARGE(0x0a),
    /** The stream ended inside a message (its length prefix promised more bytes than came). */
    TRUNCATED_MESSAGE(0x0a),
    /**
     * The messages being assembled on the connection, over all channels, hold more than
     * {@link ChannelConfig#maxIncompleteBytes()} (a flow-control limit; see {@link IncompleteMessages}).
     */
    INCOMPLETE_MESSAGES(0x03);

    private final int transportErrorCode;

    StreamViolation(int transportErrorCode) {
        this.transportErrorCode = transportErrorCode;
    }

    /** FLOW_CONTROL_ERROR (0x03), FINAL_SIZE_ERROR (0x06) or PROTOCOL_VIOLATION (0x0a). */
    public int transportErrorCode() {
        return transportErrorCode;
    }
}
