package io.keymesh.session;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two session engines joined by an in-memory wire with a manual clock, for tests. Packets are
 * queued, not delivered re-entrantly; {@link #flush()} delivers until the wire is quiet.
 */
final class EnginePair {
    static final UdpEndpoint ADDR_A = new UdpEndpoint(new InetSocketAddress("10.0.0.1", 51820));
    static final UdpEndpoint ADDR_B = new UdpEndpoint(new InetSocketAddress("10.0.0.2", 51820));
    static final long START = 1_000 * ProtocolConstants.SECOND;
    static final long WALL_OFFSET = 1_700_000_000L * ProtocolConstants.SECOND;

    final Side a;
    final Side b;
    long now = START;
    /** When false, packets in flight are discarded instead of delivered. */
    boolean wireUp = true;

    final class Side implements Transmit, SessionEvents {
        final PrivateKey key;
        final SessionEngine engine;
        Endpoint addr;
        Side other;
        Peer peer;
        final List<byte[]> delivered = new ArrayList<>();
        final List<byte[]> transmitted = new ArrayList<>();
        int handshakes;

        Side(PrivateKey key, long seed, Endpoint addr) {
            this.key = key;
            this.engine = new SessionEngine(key, new SplittableRandom(seed), WALL_OFFSET, this, this);
            this.addr = addr;
        }

        @Override
        public void send(Endpoint to, byte[] packet, int off, int len) {
            byte[] copy = Arrays.copyOfRange(packet, off, off + len);
            transmitted.add(copy);
            if (to.equals(other.addr)) {
                inFlight.add(new Object[] {other, copy.clone(), addr});
            }
        }

        @Override
        public void deliver(Peer p, int kind, byte[] payload, int off, int len) {
            delivered.add(Arrays.copyOfRange(payload, off, off + len));
        }

        @Override
        public void handshakeCompleted(Peer p) {
            handshakes++;
        }

        /** Sends a payload through the engine with the headroom it needs. */
        boolean send(byte[] payload) {
            byte[] buf = new byte[SessionEngine.SEND_HEADROOM + payload.length + engine.sendTailroom(payload.length)];
            System.arraycopy(payload, 0, buf, SessionEngine.SEND_HEADROOM, payload.length);
            return engine.send(now, peer, buf, SessionEngine.SEND_HEADROOM, payload.length);
        }
    }

    final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();

    EnginePair(long seed) {
        this(seed, PresharedKey.ZERO, PresharedKey.ZERO);
    }

    EnginePair(long seed, PresharedKey pskA, PresharedKey pskB) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] ka = new byte[32];
        byte[] kb = new byte[32];
        r.nextBytes(ka);
        r.nextBytes(kb);
        a = new Side(PrivateKey.of(ka), r.nextLong(), ADDR_A);
        b = new Side(PrivateKey.of(kb), r.nextLong(), ADDR_B);
        a.other = b;
        b.other = a;
        a.peer = a.engine.addPeer(b.key.publicKey(), pskA);
        b.peer = b.engine.addPeer(a.key.publicKey(), pskB);
        a.peer.setEndpoint(ADDR_B);
        b.peer.setEndpoint(ADDR_A);
    }

    /** Delivers queued packets until none are left. */
    void flush() {
        Object[] p;
        while ((p = inFlight.pollFirst()) != null) {
            if (!wireUp) {
                continue;
            }
            Side to = (Side) p[0];
            byte[] pkt = (byte[]) p[1];
            to.engine.receive(now, pkt, 0, pkt.length, (Endpoint) p[2]);
        }
    }

    /** Advances the clock to {@code until}, firing timers on both sides in order and flushing. */
    void advanceTo(long until) {
        while (true) {
            long next = Math.min(a.engine.nextDeadline(), b.engine.nextDeadline());
            if (next > until) {
                break;
            }
            now = Math.max(now, next);
            a.engine.onTimer(now);
            b.engine.onTimer(now);
            flush();
        }
        now = until;
    }

    void advance(long nanos) {
        advanceTo(now + nanos);
    }

    static PresharedKey randomPsk() {
        return PresharedKey.generate(new SecureRandom());
    }
}
