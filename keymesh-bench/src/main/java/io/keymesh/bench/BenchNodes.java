package io.keymesh.bench;

import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.TestKeys;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the end-to-end comparisons ({@link EndToEnd}, {@link RoundTrips}) take from keymesh-core's
 * loopback fixtures: a connected pair of nodes per trial, and a send that waits out back-pressure.
 */
final class BenchNodes {
    private BenchNodes() {}

    /**
     * Two nodes on 127.0.0.1 that have completed a handshake ({@link Loopback#connectedPair}), with
     * the recorders they report to; each trial starts its own and closes it, so trials share no
     * state. Set the recorders' sinks before traffic starts, or they keep what arrives.
     */
    record Pair(Loopback net, MeshNode a, MeshNode b, RecordingListener atA, RecordingListener atB)
            implements AutoCloseable {
        static Pair start() throws Exception {
            Loopback net = new Loopback();
            try {
                Loopback.Pair p = net.connectedPair(TestKeys.newNetworkKey());
                return new Pair(net, p.a().mesh(), p.b().mesh(), p.a().events(), p.b().events());
            } catch (RuntimeException | Error e) {
                net.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            net.close();
        }
    }

    /**
     * Sends on {@code c}, waiting up to a millisecond at a time for a permit of {@code writable}
     * (the sender's {@link RecordingListener#writableSignal} for the channel) while it is full;
     * false if the deadline passed or the thread was interrupted (its flag stays set).
     *
     * @throws IllegalStateException if the channel is lost
     */
    static boolean sendBlocking(Channel c, Semaphore writable, byte[] m, long deadline) {
        while (!c.send(m)) {
            writable.drainPermits();
            if (!c.isWritable(m.length)) {
                try {
                    writable.tryAcquire(1, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (c.lostReason() != null) {
                throw new IllegalStateException("channel lost: " + c.lostReason());
            }
        }
        return true;
    }
}
