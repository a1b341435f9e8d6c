package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import java.util.List;

/**
 * Where the relay service ({@link Relay}) and a node's own circuit ends ({@link Circuits}) send
 * relay frames: inside the session with the link's peer, encrypted as any payload. Called
 * synchronously on the node's thread; byte arrays are valid only during the call.
 */
public interface RelayLinks {
    /** True if a session with {@code key} is up now, so frames sent to it can go. */
    boolean isConnected(PublicKey key);

    /** The largest inner WireGuard message a RELAY_DATA frame on the link to {@code key} carries. */
    int maxInnerMessage(PublicKey key);

    /** RELAY_OPEN: asks {@code link} to open {@code circuit} along {@code route} (starting with {@code link}). */
    void sendOpen(PublicKey link, long circuit, List<PublicKey> route);

    /** RELAY_OPENED: {@code circuit} is open end to end and carries messages up to {@code maxMessage} bytes. */
    void sendOpened(PublicKey link, long circuit, int maxMessage);

    /** RELAY_REFUSED: {@code circuit} could not be opened, for {@code reason}. */
    void sendRefused(PublicKey link, long circuit, int reason);

    /** RELAY_DATA: the WireGuard message {@code buf[off..off+len)} on {@code circuit}. */
    void sendData(PublicKey link, long circuit, byte[] buf, int off, int len);

    /** RELAY_CLOSE: {@code circuit} is closed, for {@code reason}. */
    void sendClose(PublicKey link, long circuit, int reason);
}
