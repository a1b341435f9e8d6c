package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import java.util.List;

/**
 * Where {@link Seeks} and {@link ReachSummaries} send their frames (SEEK, REACH): inside the sessions with the node's members, as any
 * payload. Called synchronously on the node's thread; byte arrays are valid only during the call.
 */
public interface SeekLinks {
    /**
     * The members a seek can go to now: peers with a session up that speak mesh frames (not stock
     * WireGuard peers), in a stable order.
     */
    List<PublicKey> connectedMembers();

    /** True if a session with {@code key} is up now, so frames sent to it can go. */
    boolean isConnected(PublicKey key);

    /** Sends the frame {@code frame[off..off+len)} (a SEEK or a REACH) inside the session with {@code link}. */
    void sendOverlayFrame(PublicKey link, byte[] frame, int off, int len);
}
