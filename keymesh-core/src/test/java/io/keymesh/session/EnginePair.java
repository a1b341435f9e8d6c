package io.keymesh.session;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two session engines, A and B, peers of each other, joined by an in-memory wire with a manual
 * clock ({@link #now}, engine nanoseconds), for tests and benchmarks. Keys and the engines' random
 * streams come from the seed, so a pair is the same every time. Packets are queued, not delivered
 * re-entrantly; {@link #flush()} delivers until the wire is quiet.
 *
 * <p>A recording pair (the constructors) copies every packet a side transmits into
 * {@link Side#transmitted} and the wire, and every payload it delivers into {@link Side#delivered}.
 * A {@link #zeroCopy} pair copies nothing: a side remembers where its transmitted packet is
 * ({@link Side#pending}) until {@link #flush()} hands it to the other engine or
 * {@link Side#discard()} drops it, so forwarding allocates nothing; at most one packet per side may
 * be in flight (a handshake or a send needs no more), and a second one throws. Both kinds count
 * what each side transmitted, delivered and completed.
 *
 * <p>Not thread-safe: one thread owns a pair.
 */
public final class EnginePair {
    public static final UdpEndpoint ADDR_A = new UdpEndpoint(new InetSocketAddress("10.0.0.1", 51820));
    public static final UdpEndpoint ADDR_B = new UdpEndpoint(new InetSocketAddress("10.0.0.2", 51820));
    /** Engine clock at creation: 1000 s, far from zero so that no deadline arithmetic wraps. */
    public static final long START = 1_000 * ProtocolConstants.SECOND;
    /** Added to the engine clock for TAI64N timestamps: 2023-11-14 in Unix nanoseconds. */
    public static final long WALL_OFFSET = 1_700_000_000L * ProtocolConstants.SECOND;

    public final Side a;
    public final Side b;
    public long now = START;
    /** When false, packets in flight are discarded instead of delivered. */
    public boolean wireUp = true;
    private final boolean recording;

    /** One engine, its peer entry for the other side, and what its sink was given. */
    public final class Side implements Transmit, SessionEvents {
        public final PrivateKey key;
        public final SessionEngine engine;
        Endpoint addr;
        Side other;
        public Peer peer;
        /** Copies of the payloads delivered (a recording pair only). */
        public final List<byte[]> delivered = new ArrayList<>();
        /** Copies of the packets transmitted, to anyone (a recording pair only). */
        public final List<byte[]> transmitted = new ArrayList<>();
        public int handshakes;
        public long transmitCount;
        public long deliverCount;
        /** The packet transmitted to the other side and not yet forwarded, or null (a zero-copy pair only). */
        public byte[] pending;
        public int pendingOff;
        public int pendingLen;

        Side(PrivateKey key, long seed, Endpoint addr) {
            this.key = key;
            this.engine = new SessionEngine(key, new SplittableRandom(seed), WALL_OFFSET, this, this);
            this.addr = addr;
        }

        @Override
        public void send(Endpoint to, byte[] packet, int off, int len) {
            transmitCount++;
            boolean toOther = to.equals(other.addr);
            if (!recording) {
                if (toOther) {
                    if (pending != null) {
                        throw new IllegalStateException(addr + " transmitted a second packet before the first was forwarded");
                    }
                    pending = packet;
                    pendingOff = off;
                    pendingLen = len;
                }
                return;
            }
            byte[] copy = Arrays.copyOfRange(packet, off, off + len);
            transmitted.add(copy);
            if (toOther) {
                inFlight.add(new Object[] {other, copy.clone(), addr});
            }
        }

        @Override
        public void deliver(Peer p, Endpoint from, int kind, byte[] payload, int off, int len) {
            deliverCount++;
            if (recording) {
                delivered.add(Arrays.copyOfRange(payload, off, off + len));
            }
        }

        /** False: this side's policy never moves a peer's endpoint (a path policy that has not chosen yet). */
        public boolean roam = true;

        @Override
        public void authenticated(Peer p, Endpoint from) {
            if (roam) {
                SessionEvents.super.authenticated(p, from);
            }
        }

        /** What {@link #admitMember} answers: let nobody in unless a test says otherwise. */
        public java.util.function.Predicate<io.keymesh.crypto.PublicKey> admit = key -> false;

        @Override
        public boolean admitMember(io.keymesh.crypto.PublicKey key) {
            return admit.test(key);
        }

        @Override
        public void handshakeCompleted(Peer p) {
            handshakes++;
        }

        /** Sends a payload through the engine with the headroom it needs. */
        public boolean send(byte[] payload) {
            byte[] buf = new byte[SessionEngine.SEND_HEADROOM + payload.length + engine.sendTailroom(payload.length)];
            System.arraycopy(payload, 0, buf, SessionEngine.SEND_HEADROOM, payload.length);
            return engine.send(now, peer, buf, SessionEngine.SEND_HEADROOM, payload.length);
        }

        /** Drops the packet {@link #pending}, if any. */
        public void discard() {
            pending = null;
        }

        /** Hands the pending packet to the other engine; false if there was none. */
        boolean forward() {
            byte[] p = pending;
            if (p == null) {
                return false;
            }
            pending = null;
            if (wireUp) {
                other.engine.receive(now, p, pendingOff, pendingLen, addr);
            }
            return true;
        }
    }

    final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();

    /** A recording pair with no preshared keys. */
    public EnginePair(long seed) {
        this(seed, PresharedKey.ZERO, PresharedKey.ZERO);
    }

    /** A recording pair; A's entry for B has {@code pskA}, B's entry for A has {@code pskB}. */
    public EnginePair(long seed, PresharedKey pskA, PresharedKey pskB) {
        this(seed, pskA, pskB, true);
    }

    private EnginePair(long seed, PresharedKey pskA, PresharedKey pskB, boolean recording) {
        this.recording = recording;
        SplittableRandom r = new SplittableRandom(seed);
        PrivateKey keyA = TestKeys.key(r);
        PrivateKey keyB = TestKeys.key(r);
        a = new Side(keyA, r.nextLong(), ADDR_A);
        b = new Side(keyB, r.nextLong(), ADDR_B);
        a.other = b;
        b.other = a;
        a.peer = a.engine.addPeer(b.key.publicKey(), pskA);
        b.peer = b.engine.addPeer(a.key.publicKey(), pskB);
        a.peer.setEndpoint(ADDR_B);
        b.peer.setEndpoint(ADDR_A);
    }

    /** A pair, the same as {@code new EnginePair(seed)}, whose wire copies nothing (see above). */
    public static EnginePair zeroCopy(long seed) {
        return new EnginePair(seed, PresharedKey.ZERO, PresharedKey.ZERO, false);
    }

    /** Both engines seal and open transport packets with {@code aead} from now on. */
    public void setTransportAead(Aead aead) {
        a.engine.setTransportAead(aead);
        b.engine.setTransportAead(aead);
    }

    /** Delivers packets in flight until none are left. */
    public void flush() {
        while (true) {
            Object[] p = inFlight.pollFirst();
            if (p != null) {
                if (wireUp) {
                    Side to = (Side) p[0];
                    byte[] pkt = (byte[]) p[1];
                    to.engine.receive(now, pkt, 0, pkt.length, (Endpoint) p[2]);
                }
            } else if (!(a.forward() | b.forward())) {
                return;
            }
        }
    }

    /** Advances the clock to {@code until}, firing timers on both sides in order and flushing. */
    public void advanceTo(long until) {
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

    public void advance(long nanos) {
        advanceTo(now + nanos);
    }

    /**
     * One complete handshake started by A at {@link #now}: initiation, response and A's first
     * transport packet (a keepalive), after which both sides use the new keypair.
     *
     * @throws IllegalStateException if A did not initiate or either side did not complete
     */
    public void handshake() {
        int ha = a.handshakes;
        int hb = b.handshakes;
        if (!a.engine.initiateHandshake(now, a.peer)) {
            throw new IllegalStateException("A did not initiate at " + now);
        }
        flush();
        if (a.handshakes != ha + 1 || b.handshakes != hb + 1) {
            throw new IllegalStateException("handshake did not complete: A drops " + a.engine.droppedTotal()
                    + ", B drops " + b.engine.droppedTotal());
        }
    }

    /** A payload in the mesh-frame range of the inner demux: a 0x01 byte, then the text. */
    public static byte[] msg(String s) {
        byte[] t = s.getBytes(StandardCharsets.UTF_8);
        byte[] m = new byte[t.length + 1];
        m[0] = 0x01;
        System.arraycopy(t, 0, m, 1, t.length);
        return m;
    }

    /** Mesh-frame payloads are delivered with WireGuard's zero padding; strip it and the 0x01 to compare. */
    public static String text(byte[] padded) {
        int n = padded.length;
        while (n > 0 && padded[n - 1] == 0) {
            n--;
        }
        org.junit.jupiter.api.Assertions.assertEquals(0x01, padded[0]);
        return new String(padded, 1, n - 1, StandardCharsets.UTF_8);
    }
}
