package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The relay and probe frames over many seeded random values: they round-trip, every truncation of a
 * body decodes as the frame's rules say, and arbitrary bodies never make a decoder throw. A failure
 * names its seed; {@code new SplittableRandom(seed)} replays it.
 */
class RelayFramesRandomTest {
    private static final int SEEDS = 2_000;

    /** A varint value, its encoded length (1, 2, 4 or 8 bytes) chosen uniformly. */
    private static long varint(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextLong(64);
            case 1 -> r.nextLong(64, 16384);
            case 2 -> r.nextLong(16384, 1L << 30);
            default -> r.nextLong(1L << 30, VarInt.MAX + 1);
        };
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Null, an IPv4 or an IPv6 address (never IPv4-mapped, which Java turns into IPv4), any port. */
    private static InetSocketAddress address(SplittableRandom r) throws UnknownHostException {
        return switch (r.nextInt(3)) {
            case 0 -> null;
            case 1 -> new InetSocketAddress(InetAddress.getByAddress(bytes(r, 4)), r.nextInt(65536));
            default -> {
                byte[] a = bytes(r, 16);
                a[0] = (byte) 0x20; // 2000::/3, never ::ffff:0:0/96
                yield new InetSocketAddress(InetAddress.getByAddress(a), r.nextInt(65536));
            }
        };
    }

    /** Writes nothing before {@code at} and nothing after the frame; returns the frame's length. */
    private interface Writer {
        int write(byte[] b, int off);
    }

    /** Runs {@code w} at a random offset in a canary-filled array, checks it stayed within its length. */
    private static byte[] written(SplittableRandom r, long seed, int frameLength, Writer w) {
        int at = r.nextInt(8);
        byte[] b = new byte[at + frameLength + 8];
        Arrays.fill(b, (byte) 0xa5);
        int n = w.write(b, at);
        assertEquals(frameLength, n, "frameLength, seed " + seed);
        for (int i = 0; i < at; i++) {
            assertEquals((byte) 0xa5, b[i], "wrote before the frame, seed " + seed);
        }
        for (int i = at + n; i < b.length; i++) {
            assertEquals((byte) 0xa5, b[i], "wrote after the frame, seed " + seed);
        }
        return Arrays.copyOfRange(b, at, at + n);
    }

    /** The frame's type, body offset and body length as {@link MeshFrame#forEach} gives them; it must be alone. */
    private static int[] only(byte[] frame, long seed) {
        int[] got = new int[4];
        assertTrue(MeshFrame.forEach(frame, 0, frame.length, (type, b, off, len) -> {
            got[0] = type;
            got[1] = off;
            got[2] = len;
            got[3]++;
        }), "well formed, seed " + seed);
        assertEquals(1, got[3], "one frame, seed " + seed);
        assertEquals(frame.length, got[1] + got[2], "body runs to the end, seed " + seed);
        return got;
    }

    // ------------------------------------------------------------------ round trips and truncations

    @Test
    void relayOpenRoundTripsAndTruncates() {
        RelayOpenFrame f = new RelayOpenFrame();
        for (long seed = 0; seed < SEEDS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            long circuit = varint(r);
            int hops = 1 + r.nextInt(RelayOpenFrame.MAX_ROUTE);
            byte[] route = bytes(r, hops * 32);
            byte[] frame = written(r, seed, RelayOpenFrame.frameLength(circuit, hops),
                    (b, off) -> RelayOpenFrame.write(b, off, circuit, route, 0, hops));
            int[] body = only(frame, seed);
            assertEquals(MeshFrame.RELAY_OPEN, body[0], "seed " + seed);
            assertTrue(f.decode(frame, body[1], body[2]), "seed " + seed);
            assertEquals(circuit, f.circuit(), "seed " + seed);
            assertEquals(hops, f.hops(), "seed " + seed);
            assertArrayEquals(route, f.route(), "seed " + seed);
            assertArrayEquals(Arrays.copyOfRange(route, (hops - 1) * 32, hops * 32), f.target(), "seed " + seed);

            // a truncated body is malformed unless it ends on a key boundary after at least one key:
            // then it is a valid RELAY_OPEN for the same circuit with the route's first keys only
            int idLen = VarInt.length(circuit);
            for (int len = 0; len < body[2]; len++) {
                boolean ok = f.decode(frame, body[1], len);
                int keys = len - idLen;
                if (keys > 0 && keys % 32 == 0) {
                    assertTrue(ok, "truncated to " + len + ", seed " + seed);
                    assertEquals(circuit, f.circuit(), "seed " + seed);
                    assertEquals(keys / 32, f.hops(), "seed " + seed);
                    assertArrayEquals(Arrays.copyOf(route, keys), f.route(), "seed " + seed);
                } else {
                    assertFalse(ok, "truncated to " + len + ", seed " + seed);
                }
            }
        }
    }

    @Test
    void varintPairFramesRoundTripAndEveryTruncationIsMalformed() {
        RelayOpenedFrame opened = new RelayOpenedFrame();
        CircuitReasonFrame refused = new CircuitReasonFrame();
        CircuitReasonFrame close = new CircuitReasonFrame();
        for (long seed = 0; seed < SEEDS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            long circuit = varint(r);
            long value = varint(r);
            int kind = r.nextInt(3);
            byte[] frame = switch (kind) {
                case 0 -> written(r, seed, RelayOpenedFrame.frameLength(circuit, value),
                        (b, off) -> RelayOpenedFrame.write(b, off, circuit, value));
                case 1 -> written(r, seed, CircuitReasonFrame.frameLength(circuit, value),
                        (b, off) -> CircuitReasonFrame.write(b, off, MeshFrame.RELAY_REFUSED, circuit, value));
                default -> written(r, seed, CircuitReasonFrame.frameLength(circuit, value),
                        (b, off) -> CircuitReasonFrame.write(b, off, MeshFrame.RELAY_CLOSE, circuit, value));
            };
            int[] body = only(frame, seed);
            int[] types = {MeshFrame.RELAY_OPENED, MeshFrame.RELAY_REFUSED, MeshFrame.RELAY_CLOSE};
            assertEquals(types[kind], body[0], "seed " + seed);
            assertEquals(VarInt.length(circuit) + VarInt.length(value), body[2], "seed " + seed);
            for (int len = 0; len <= body[2]; len++) {
                boolean ok = switch (kind) {
                    case 0 -> opened.decode(frame, body[1], len);
                    case 1 -> refused.decode(frame, body[1], len);
                    default -> close.decode(frame, body[1], len);
                };
                assertEquals(len == body[2], ok, "truncated to " + len + " of " + body[2] + ", seed " + seed);
            }
            long[] got = switch (kind) {
                case 0 -> new long[] {opened.circuit(), opened.maxMessage()};
                case 1 -> new long[] {refused.circuit(), refused.reason()};
                default -> new long[] {close.circuit(), close.reason()};
            };
            assertArrayEquals(new long[] {circuit, value}, got, "seed " + seed);
        }
    }

    @Test
    void relayDataRoundTripsInPlaceAndTruncates() {
        RelayDataFrame f = new RelayDataFrame();
        for (long seed = 0; seed < SEEDS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            long circuit = varint(r);
            int innerLength = 1 + r.nextInt(switch (r.nextInt(8)) {
                case 0, 1, 2 -> 80;        // one-byte length
                case 7 -> 20_000;          // up to a four-byte length
                default -> 2_000;          // up to a two-byte length
            });
            byte[] inner = bytes(r, innerLength);

            // built in place: the message sits in the buffer first, the header goes in front of it
            int room = r.nextInt(RelayDataFrame.MAX_HEADER_LENGTH, 40);
            byte[] buf = new byte[room + innerLength + 5];
            Arrays.fill(buf, (byte) 0x3c);
            System.arraycopy(inner, 0, buf, room, innerLength);
            int h = RelayDataFrame.headerLength(circuit, innerLength);
            int start = room - h;
            assertEquals(room, RelayDataFrame.writeHeader(buf, start, circuit, innerLength), "seed " + seed);
            assertEquals(RelayDataFrame.frameLength(circuit, innerLength), h + innerLength, "seed " + seed);
            assertArrayEquals(inner, Arrays.copyOfRange(buf, room, room + innerLength),
                    "inner untouched, seed " + seed);
            for (int i = 0; i < start; i++) {
                assertEquals((byte) 0x3c, buf[i], "wrote before the header, seed " + seed);
            }
            for (int i = room + innerLength; i < buf.length; i++) {
                assertEquals((byte) 0x3c, buf[i], "wrote after the message, seed " + seed);
            }

            // the same bytes as writing the whole frame
            byte[] whole = written(r, seed, h + innerLength,
                    (b, off) -> RelayDataFrame.write(b, off, circuit, inner, 0, innerLength));
            assertArrayEquals(whole, Arrays.copyOfRange(buf, start, room + innerLength), "seed " + seed);

            int[] body = only(whole, seed);
            assertEquals(MeshFrame.RELAY_DATA, body[0], "seed " + seed);
            assertTrue(f.decode(buf, start + body[1], body[2]), "seed " + seed);
            assertEquals(circuit, f.circuit(), "seed " + seed);
            assertEquals(room, f.innerOffset(), "decoded in place, seed " + seed);
            assertEquals(innerLength, f.innerLength(), "seed " + seed);

            // a truncated body is malformed until it holds the circuit id and one byte; from there on
            // it is a valid RELAY_DATA for the same circuit with a shorter inner message
            int idLen = VarInt.length(circuit);
            for (int len = 0; len < body[2]; len++) {
                boolean ok = f.decode(whole, body[1], len);
                boolean right = len > idLen
                        ? ok && f.circuit() == circuit && f.innerOffset() == body[1] + idLen
                                && f.innerLength() == len - idLen
                        : !ok;
                if (!right) {
                    fail("truncated to " + len + " of " + body[2] + ": decoded " + ok + ", seed " + seed);
                }
            }
        }
    }

    @Test
    void probesRoundTripAndTruncate() throws UnknownHostException {
        ProbeFrame f = new ProbeFrame();
        for (long seed = 0; seed < SEEDS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            long id = r.nextLong();
            boolean ack = r.nextBoolean();
            InetSocketAddress observed = ack ? address(r) : null;
            byte[] frame = ack
                    ? written(r, seed, ProbeFrame.ackFrameLength(observed),
                            (b, off) -> ProbeFrame.writeAck(b, off, id, observed))
                    : written(r, seed, ProbeFrame.probeFrameLength(),
                            (b, off) -> ProbeFrame.writeProbe(b, off, id));
            int[] body = only(frame, seed);
            assertEquals(ack ? MeshFrame.PROBE_ACK : MeshFrame.PROBE, body[0], "seed " + seed);
            assertTrue(f.decode(body[0], frame, body[1], body[2]), "seed " + seed);
            assertEquals(ack, f.ack(), "seed " + seed);
            assertEquals(id, f.probeId(), "seed " + seed);
            assertEquals(observed, f.observed(), "seed " + seed);
            assertEquals(observed != null, f.hasObserved(), "seed " + seed);
            if (observed != null) {
                assertEquals(observed.getPort(), f.observedPort(), "seed " + seed);
                assertEquals(observed.getAddress().getAddress().length == 4 ? 4 : 6, f.observedFamily(),
                        "seed " + seed);
            }
            // an 8-byte body reads as either type; an ack with an address is no probe
            assertEquals(body[2] == 8, f.decode(ack ? MeshFrame.PROBE : MeshFrame.PROBE_ACK, frame, body[1], body[2]),
                    "read as the other type, seed " + seed);

            // every truncation is malformed, except that an ack with an address truncated to its
            // 8-byte probe id is a valid ack, for the same probe, without an address
            for (int len = 0; len < body[2]; len++) {
                boolean ok = f.decode(body[0], frame, body[1], len);
                if (ack && observed != null && len == 8) {
                    assertTrue(ok, "seed " + seed);
                    assertTrue(f.ack(), "seed " + seed);
                    assertEquals(id, f.probeId(), "seed " + seed);
                    assertNull(f.observed(), "seed " + seed);
                } else {
                    assertFalse(ok, "truncated to " + len + ", seed " + seed);
                }
            }
        }
    }

    // ------------------------------------------------------------------ garbage

    @Test
    void garbageNeverThrows() {
        RelayOpenFrame open = new RelayOpenFrame();
        RelayOpenedFrame opened = new RelayOpenedFrame();
        CircuitReasonFrame refused = new CircuitReasonFrame();
        RelayDataFrame data = new RelayDataFrame();
        CircuitReasonFrame close = new CircuitReasonFrame();
        ProbeFrame probe = new ProbeFrame();
        for (long seed = 0; seed < 20 * SEEDS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] b = bytes(r, r.nextInt(300));
            if (b.length > 8 && r.nextBoolean()) {
                b[8] = (byte) (r.nextBoolean() ? 4 : 6); // reach the probe ack's address checks
            }
            // mostly bodies within the array, sometimes not
            int off = r.nextInt(8) == 0 ? r.nextInt(-3, b.length + 3) : r.nextInt(b.length + 1);
            int len = r.nextInt(8) == 0 || off < 0 || off > b.length
                    ? r.nextInt(-3, b.length + 3) : r.nextInt(b.length - off + 1);
            int type = r.nextInt(256);
            try {
                if (open.decode(b, off, len)) {
                    assertTrue(open.hops() >= 1 && open.hops() <= RelayOpenFrame.MAX_ROUTE, "seed " + seed);
                    assertEquals(len, VarInt.encodedLength(b[off]) + 32 * open.hops(), "seed " + seed);
                }
                opened.decode(b, off, len);
                refused.decode(b, off, len);
                close.decode(b, off, len);
                if (data.decode(b, off, len)) {
                    assertTrue(data.innerLength() >= 1, "seed " + seed);
                    assertEquals(off + len, data.innerOffset() + data.innerLength(), "seed " + seed);
                }
                if (probe.decode(type, b, off, len)) {
                    assertTrue(type == MeshFrame.PROBE || type == MeshFrame.PROBE_ACK, "seed " + seed);
                    assertEquals(len, probe.observedFamily() == 0 ? 8 : probe.observedFamily() == 4 ? 15 : 27,
                            "seed " + seed);
                    probe.observed();
                }
                // frames of every type in a payload made of the garbage
                MeshFrame.forEach(b, 0, b.length, (t, buf, o, l) -> {
                    open.decode(buf, o, l);
                    data.decode(buf, o, l);
                    probe.decode(t, buf, o, l);
                });
            } catch (RuntimeException e) {
                fail("seed " + seed + " threw", e);
            }
        }
    }
}
