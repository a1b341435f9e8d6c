package io.keymesh.sim;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A handler that records every datagram with its arrival time. */
final class Recorder implements DatagramHandler {
    record Received(long atNanos, InetSocketAddress from, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        int seq() {
            return ByteBuffer.wrap(data).getInt();
        }
    }

    final Simulation sim;
    final List<Received> received = new ArrayList<>();

    Recorder(Simulation sim) {
        this.sim = sim;
    }

    @Override
    public void receive(InetSocketAddress from, byte[] data, int off, int len) {
        received.add(new Received(sim.now(), from, Arrays.copyOfRange(data, off, off + len)));
    }

    int count() {
        return received.size();
    }

    Received last() {
        return received.getLast();
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A payload of {@code size} bytes (≥ 4) starting with the sequence number. */
    static byte[] seq(int seq, int size) {
        return ByteBuffer.allocate(Math.max(4, size)).putInt(0, seq).array();
    }

    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
}
