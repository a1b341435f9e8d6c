package io.keymesh.bench;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.Endpoint;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.Transmit;
import io.keymesh.session.UdpEndpoint;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * Two {@link SessionEngine}s, A and B, peers of each other, joined by an in-memory wire with a
 * caller-driven clock ({@link #now}, engine nanoseconds). A transmitted packet is not copied: the
 * sending side remembers where it is ({@link Side#pending}) until {@link #pump()} hands it to the
 * other engine or {@link Side#discard()} drops it, so forwarding allocates nothing. At most one
 * packet per side may be in flight, which is all a handshake or a send needs; a second one is a
 * bug in the benchmark and throws.
 *
 * <p>Not thread-safe: one benchmark thread owns a pair.
 */
final class InMemoryPair {
    static final UdpEndpoint ADDR_A = new UdpEndpoint(new InetSocketAddress("10.0.0.1", 51820));
    static final UdpEndpoint ADDR_B = new UdpEndpoint(new InetSocketAddress("10.0.0.2", 51820));
    /** Engine clock at creation: 1000 s, far from zero so that no deadline arithmetic wraps. */
    static final long START = 1_000_000_000_000L;
    /** Added to the engine clock for TAI64N timestamps: 2023-11-14 in Unix nanoseconds. */
    static final long WALL_OFFSET = 1_700_000_000_000_000_000L;

    final Side a;
    final Side b;
    long now = START;

    /** One engine, its wire and its events. */
    static final class Side implements Transmit, SessionEvents {
        final Endpoint addr;
        SessionEngine engine;
        Peer peer;
        /** The packet transmitted and not yet forwarded, or null. */
        byte[] pending;
        int pendingOff;
        int pendingLen;
        long transmitted;
        long delivered;
        long deliveredBytes;
        long handshakes;

        Side(Endpoint addr) {
            this.addr = addr;
        }

        @Override
        public void send(Endpoint to, byte[] packet, int off, int len) {
            if (pending != null) {
                throw new IllegalStateException(addr + " transmitted a second packet before the first was forwarded");
            }
            pending = packet;
            pendingOff = off;
            pendingLen = len;
            transmitted++;
        }

        @Override
        public void deliver(Peer p, int kind, byte[] payload, int off, int len) {
            delivered++;
            deliveredBytes += len;
        }

        @Override
        public void handshakeCompleted(Peer p) {
            handshakes++;
        }

        /** Drops the packet in flight, if any. */
        void discard() {
            pending = null;
        }
    }

    /** A pair whose engines use the default transport AEAD. */
    InMemoryPair(long seed) {
        this(seed, null);
    }

    /**
     * A pair whose engines seal and open transport packets with {@code aead} ({@code "jdk"} or
     * {@code "portable"}, see {@link Aead#named}); null keeps the engine's default.
     */
    InMemoryPair(long seed, String aead) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] ka = new byte[32];
        byte[] kb = new byte[32];
        r.nextBytes(ka);
        r.nextBytes(kb);
        PrivateKey keyA = PrivateKey.of(ka);
        PrivateKey keyB = PrivateKey.of(kb);
        a = new Side(ADDR_A);
        b = new Side(ADDR_B);
        a.engine = new SessionEngine(keyA, new SplittableRandom(r.nextLong()), WALL_OFFSET, a, a);
        b.engine = new SessionEngine(keyB, new SplittableRandom(r.nextLong()), WALL_OFFSET, b, b);
        a.peer = a.engine.addPeer(keyB.publicKey(), PresharedKey.ZERO);
        b.peer = b.engine.addPeer(keyA.publicKey(), PresharedKey.ZERO);
        a.peer.setEndpoint(ADDR_B);
        b.peer.setEndpoint(ADDR_A);
        if (aead != null) {
            a.engine.setTransportAead(Aead.named(aead));
            b.engine.setTransportAead(Aead.named(aead));
        }
    }

    /** Forwards packets in flight, A's first, until the wire is quiet. */
    void pump() {
        while (a.pending != null || b.pending != null) {
            forward(a, b);
            forward(b, a);
        }
    }

    private void forward(Side from, Side to) {
        byte[] p = from.pending;
        if (p != null) {
            from.pending = null;
            to.engine.receive(now, p, from.pendingOff, from.pendingLen, from.addr);
        }
    }

    /**
     * One complete handshake started by A at {@link #now}: initiation, response and A's first
     * transport packet (a keepalive), after which both sides use the new keypair.
     *
     * @throws IllegalStateException if A did not initiate or either side did not complete
     */
    void handshake() {
        long ha = a.handshakes;
        long hb = b.handshakes;
        if (!a.engine.initiateHandshake(now, a.peer)) {
            throw new IllegalStateException("A did not initiate at " + now);
        }
        pump();
        if (a.handshakes != ha + 1 || b.handshakes != hb + 1) {
            throw new IllegalStateException("handshake did not complete: A drops " + a.engine.droppedTotal()
                    + ", B drops " + b.engine.droppedTotal());
        }
    }
}
