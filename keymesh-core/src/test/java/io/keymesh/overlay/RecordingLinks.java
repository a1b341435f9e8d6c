package io.keymesh.overlay;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Test links for one node's {@link Relay}, {@link Circuits} and {@link Seeks}: every frame sent is
 * recorded as a {@link Sent}; {@link #connected} says which sessions are up. Not thread-safe.
 */
final class RecordingLinks implements OverlayLinks {
    /** A frame sent: its kind ("open", "opened", "refused", "data", "close", "overlay"), link, circuit and detail. */
    record Sent(String kind, PublicKey link, long circuit, long detail, byte[] data) {}

    final Set<PublicKey> connected = new HashSet<>();
    final List<Sent> sent = new ArrayList<>();

    /** A distinct key for index {@code i} (0 to 2^24 - 1). */
    static PublicKey key(int i) {
        byte[] k = new byte[32];
        k[1] = (byte) i;
        k[2] = (byte) (i >>> 8);
        k[3] = (byte) (i >>> 16);
        k[4] = 1;
        return PrivateKey.of(k).publicKey();
    }

    /** The frames of {@code kind} sent so far. */
    List<Sent> sent(String kind) {
        return sent.stream().filter(s -> s.kind().equals(kind)).toList();
    }

    @Override
    public List<PublicKey> connectedMembers() {
        return List.copyOf(connected);
    }

    @Override
    public boolean isConnected(PublicKey key) {
        return connected.contains(key);
    }

    @Override
    public void sendOverlayFrame(PublicKey link, byte[] frame, int off, int len) {
        sent.add(new Sent("overlay", link, -1, len, Arrays.copyOfRange(frame, off, off + len)));
    }

    @Override
    public int maxInnerMessage(PublicKey key) {
        return 1400;
    }

    @Override
    public void sendOpen(PublicKey link, long circuit, List<PublicKey> route) {
        sent.add(new Sent("open", link, circuit, route.size(), null));
    }

    @Override
    public void sendOpened(PublicKey link, long circuit, int maxMessage) {
        sent.add(new Sent("opened", link, circuit, maxMessage, null));
    }

    @Override
    public void sendRefused(PublicKey link, long circuit, int reason) {
        sent.add(new Sent("refused", link, circuit, reason, null));
    }

    @Override
    public void sendData(PublicKey link, long circuit, byte[] buf, int off, int len) {
        sent.add(new Sent("data", link, circuit, len, Arrays.copyOfRange(buf, off, off + len)));
    }

    @Override
    public void sendClose(PublicKey link, long circuit, int reason) {
        sent.add(new Sent("close", link, circuit, reason, null));
    }
}
