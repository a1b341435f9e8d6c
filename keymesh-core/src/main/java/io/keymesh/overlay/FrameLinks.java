package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.CircuitReasonFrame;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.RelayDataFrame;
import io.keymesh.wire.RelayOpenFrame;
import io.keymesh.wire.RelayOpenedFrame;
import java.util.List;

/**
 * {@link OverlayLinks} that writes each relay frame (and copies each seek) into one scratch buffer, with room before it
 * ({@code headroom}) and after it ({@link #TAILROOM}) for the session layer to encrypt it in place,
 * and hands it to {@link #sendFrame}. A relayed message is copied once, into the frame. Not
 * thread-safe; {@link #sendFrame} must be done with the buffer when it returns.
 */
public abstract class FrameLinks implements OverlayLinks {
    /** Room left after a frame: WireGuard's padding (at most 15) and tag (16), rounded up. */
    public static final int TAILROOM = 32;
    /** The largest RELAY_DATA frame this writes: a UDP datagram of 65,535 bytes at most. */
    private static final int MAX_FRAME = 65_535;

    private final int headroom;
    private final byte[] scratch;
    private boolean busy;

    protected FrameLinks(int headroom) {
        this.headroom = headroom;
        this.scratch = new byte[headroom + MAX_FRAME + TAILROOM];
    }

    /**
     * True while a frame is being written or sent: the scratch buffer is in use, so a caller that
     * would write another frame now (from inside {@link #sendFrame}) must wait until it returns.
     */
    public boolean isBusy() {
        return busy;
    }

    private void send(PublicKey link, int len) {
        busy = true;
        try {
            sendFrame(link, scratch, headroom, len);
        } finally {
            busy = false;
        }
    }

    /**
     * Sends the frame {@code buf[off..off+len)} inside the session with {@code link}; {@code off} is
     * preceded by the headroom given at construction and followed by {@link #TAILROOM} free bytes.
     */
    protected abstract void sendFrame(PublicKey link, byte[] buf, int off, int len);

    @Override
    public void sendOpen(PublicKey link, long circuit, List<PublicKey> route) {
        byte[][] keys = new byte[route.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = route.get(i).toBytes();
        }
        int n = RelayOpenFrame.write(scratch, headroom, circuit, keys);
        send(link, n);
    }

    @Override
    public void sendOpened(PublicKey link, long circuit, int maxMessage) {
        int n = RelayOpenedFrame.write(scratch, headroom, circuit, maxMessage);
        send(link, n);
    }

    @Override
    public void sendRefused(PublicKey link, long circuit, int reason) {
        int n = CircuitReasonFrame.write(scratch, headroom, MeshFrame.RELAY_REFUSED, circuit, reason);
        send(link, n);
    }

    @Override
    public void sendData(PublicKey link, long circuit, byte[] buf, int off, int len) {
        int header = RelayDataFrame.headerLength(circuit, len);
        if (header + len > MAX_FRAME) {
            return; // larger than any datagram: cannot have come from a session, never sent
        }
        if (buf == scratch) {
            throw new IllegalStateException("a relay frame written from inside the sending of another");
        }
        RelayDataFrame.writeHeader(scratch, headroom, circuit, len);
        System.arraycopy(buf, off, scratch, headroom + header, len);
        send(link, header + len);
    }

    @Override
    public void sendOverlayFrame(PublicKey link, byte[] frame, int off, int len) {
        if (frame == scratch) {
            throw new IllegalStateException("a frame written into the relay frames' buffer");
        }
        System.arraycopy(frame, off, scratch, headroom, len);
        send(link, len);
    }

    @Override
    public void sendClose(PublicKey link, long circuit, int reason) {
        int n = CircuitReasonFrame.write(scratch, headroom, MeshFrame.RELAY_CLOSE, circuit, reason);
        send(link, n);
    }
}
