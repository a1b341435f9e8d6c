package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.SessionEngine;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.TransportData;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link MeshNode#send}: frames a datagram and sends it on the caller's thread when the session
 * allows it ({@link EngineLoop#sendOnCallerThread}), otherwise through the loop thread, behind that
 * peer's datagrams already queued there. Owns the bounds on what is queued for the loop
 * ({@link PendingSends}) and the count of sends refused by them; each peer's queued count is in its
 * {@link PeerState#pendingSends}. Any thread.
 */
final class DatagramSender {
    private final EngineLoop loop;
    private final String aead;
    private final Map<PublicKey, PeerState> peers;
    private final RunState run;
    private final PendingSends pendingSends = new PendingSends(MeshNode.MAX_PENDING_SENDS, MeshNode.MAX_PENDING_SEND_BYTES);
    private final AtomicLong sendsRefused = new AtomicLong();

    /** {@code aead} names the engine's transport AEAD ({@link NodeConfig#aead()}). */
    DatagramSender(EngineLoop loop, String aead, Map<PublicKey, PeerState> peers, RunState run) {
        this.loop = loop;
        this.aead = aead;
        this.peers = peers;
        this.run = run;
    }

    /** {@link MeshNode#send(PublicKey, byte[], int, int)}, with its contract. */
    boolean send(PublicKey to, byte[] data, int off, int len) {
        run.ensureOpen();
        PeerState state = peers.get(to);
        if (state == null) {
            throw new IllegalArgumentException("not a peer of this node: " + to);
        }
        if (len < 0 || len > MeshNode.MAX_DATAGRAM_LENGTH) {
            throw new IllegalArgumentException("datagram of " + len + " bytes; at most " + MeshNode.MAX_DATAGRAM_LENGTH);
        }
        int pathLimit = state.maxDatagram;
        if (len > pathLimit) {
            throw new IllegalArgumentException("datagram of " + len + " bytes; the path to " + to + " carries at most "
                    + pathLimit + " (MeshNode.maxDatagramLength)");
        }
        java.util.Objects.checkFromIndexSize(off, len, data.length); // before counting it as pending
        int frameLen = MeshFrame.frameLength(len);
        int bufLen = SessionEngine.SEND_HEADROOM + frameLen + 15 + TransportData.TAG_LENGTH;
        // Off the loop thread: encrypted and sent on this thread when the session allows and no
        // earlier send to the peer waits for the loop (it would be overtaken). Otherwise through
        // the loop. Only a peer's own sends are ordered: other peers' queued sends do not hold it up.
        boolean onLoop = loop.io().inLoop();
        if (state.pendingSends.get() == 0 && loop.io().concurrentSends() && !onLoop) {
            SendScratch scratch = SendScratch.acquire();
            try {
                byte[] buf = scratch.buffer(bufLen);
                frameDatagram(data, off, len, buf);
                if (loop.sendOnCallerThread(state.session, buf, SessionEngine.SEND_HEADROOM, frameLen, scratch.aead(aead))) {
                    state.datagramsSent.incrementAndGet();
                    return true;
                }
            } finally {
                SendScratch.release(scratch);
            }
        }
        // From a listener callback (the loop thread) the call below runs inline: nothing is queued,
        // so nothing is counted against the bounds and nothing is refused.
        if (!onLoop) {
            if (!pendingSends.tryAdd(bufLen)) {
                sendsRefused.incrementAndGet();
                return false;
            }
            state.pendingSends.incrementAndGet();
        }
        byte[] buf = new byte[bufLen];
        frameDatagram(data, off, len, buf);
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> done = loop.call((engine, now) -> {
            ran.set(true);
            try {
                if (peers.get(to) == state) {
                    state.datagramsSent.incrementAndGet();
                    engine.send(now, state.session, buf, SessionEngine.SEND_HEADROOM, frameLen);
                }
            } finally {
                if (!onLoop) {
                    // after sending: a send to this peer on another thread must not overtake this one
                    state.pendingSends.decrementAndGet();
                    pendingSends.remove(bufLen);
                }
            }
            return null;
        });
        if (!ran.get() && done.isCompletedExceptionally()) { // refused: the loop stopped since the check above
            state.pendingSends.decrementAndGet();
            pendingSends.remove(bufLen);
            throw run.stoppedException();
        }
        return true;
    }

    /** Writes the DATAGRAM frame of {@code data[off..off+len)} at the engine's headroom in {@code buf}. */
    private static void frameDatagram(byte[] data, int off, int len, byte[] buf) {
        int bodyOff = MeshFrame.writeHeader(buf, SessionEngine.SEND_HEADROOM, MeshFrame.DATAGRAM, len);
        System.arraycopy(data, off, buf, bodyOff, len);
    }

    /** {@link MeshNode#sendsRefused()}. */
    long sendsRefused() {
        return sendsRefused.get();
    }
}
