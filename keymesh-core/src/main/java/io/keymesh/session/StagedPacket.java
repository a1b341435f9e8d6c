package io.keymesh.session;

/**
 * A payload waiting for a session: a copy at {@link SessionEngine#SEND_HEADROOM} in {@code buf},
 * with room after it for padding and tag, so it is encrypted in place when the handshake completes.
 */
record StagedPacket(byte[] buf, int length) {}
