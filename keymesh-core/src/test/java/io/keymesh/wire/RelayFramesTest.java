package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes of the relay frames (RELAY_OPEN, RELAY_OPENED, RELAY_REFUSED, RELAY_DATA, RELAY_CLOSE)
 * and the path-probe frames (PROBE, PROBE_ACK), against hand-written known answers, and their
 * rejection of bad bodies.
 */
class RelayFramesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    private static String rep(String byteHex, int times) {
        return byteHex.repeat(times);
    }

    // ------------------------------------------------------------------ types

    @Test
    void relayAndProbeTypesAreLegalAndDistinct() {
        int[] types = {MeshFrame.RELAY_OPEN, MeshFrame.RELAY_OPENED, MeshFrame.RELAY_REFUSED, MeshFrame.RELAY_DATA,
            MeshFrame.RELAY_CLOSE, MeshFrame.PROBE, MeshFrame.PROBE_ACK};
        assertArrayEquals(new int[] {0x50, 0x51, 0x52, 0x53, 0x54, 0x58, 0x59}, types);
        for (int t : types) {
            assertTrue(MeshFrame.isValidType(t), "type " + t);
        }
        int[] existing = {MeshFrame.PING, 0x02, 0x03, MeshFrame.RESET_STREAM, MeshFrame.STREAM, MeshFrame.STREAM_FIN,
            MeshFrame.MAX_DATA, MeshFrame.MAX_STREAM_DATA, MeshFrame.DATA_BLOCKED, MeshFrame.STREAM_DATA_BLOCKED,
            MeshFrame.CONNECTION_CLOSE, MeshFrame.PACKET, MeshFrame.DATAGRAM};
        for (int t : types) {
            for (int e : existing) {
                assertTrue(t != e, "type " + t + " already taken");
            }
        }
    }

    // ------------------------------------------------------------------ RELAY_OPEN

    @Test
    void relayOpenBytes() {
        byte[] b = new byte[256];
        // one hop: body = circuit 05 + 32 key bytes = 33 = 0x21
        int n = RelayOpenFrame.write(b, 0, 5, key(0x11));
        assertArrayEquals(hex("50 21 05" + rep("11", 32)), Arrays.copyOf(b, n));
        assertEquals(n, RelayOpenFrame.frameLength(5, 1));
        // two hops, two-byte circuit id (RFC 9000 A.1: 15293 = 7bbd): body 66 needs a two-byte length 0x4042
        n = RelayOpenFrame.write(b, 3, 15293, key(0xaa), key(0xbb));
        assertArrayEquals(hex("50 4042 7bbd" + rep("aa", 32) + rep("bb", 32)), Arrays.copyOfRange(b, 3, 3 + n));
        assertEquals(n, RelayOpenFrame.frameLength(15293, 2));
        // four hops from one array at an offset: body 129 = 0x4081
        byte[] route = new byte[1 + 128];
        for (int i = 0; i < 4; i++) {
            Arrays.fill(route, 1 + 32 * i, 33 + 32 * i, (byte) (i + 1));
        }
        n = RelayOpenFrame.write(b, 0, 0, route, 1, 4);
        assertArrayEquals(hex("50 4081 00" + rep("01", 32) + rep("02", 32) + rep("03", 32) + rep("04", 32)),
                Arrays.copyOf(b, n));
    }

    @Test
    void relayOpenDecodesAndCopiesTheRoute() {
        byte[] b = hex("50 4042 7bbd" + rep("aa", 32) + rep("bb", 32));
        RelayOpenFrame f = new RelayOpenFrame();
        assertTrue(f.decode(b, 3, b.length - 3));
        assertEquals(15293, f.circuit());
        assertEquals(2, f.hops());
        assertArrayEquals(key(0xaa), f.hop(0));
        assertArrayEquals(key(0xbb), f.hop(1));
        assertArrayEquals(key(0xbb), f.target());
        assertArrayEquals(hex(rep("aa", 32) + rep("bb", 32)), f.route());
        Arrays.fill(b, (byte) 0);
        assertArrayEquals(key(0xbb), f.target(), "the route is a copy, not a view of the input");
        byte[] leaked = f.route();
        leaked[0] = 1;
        assertArrayEquals(key(0xaa), f.hop(0), "route() is a copy");
        assertThrows(IndexOutOfBoundsException.class, () -> f.hop(2));

        // a relay forwards the route less its first hop
        byte[] out = new byte[64];
        int n = RelayOpenFrame.write(out, 0, 9, f.route(), RelayOpenFrame.KEY_LENGTH, f.hops() - 1);
        assertArrayEquals(hex("50 21 09" + rep("bb", 32)), Arrays.copyOf(out, n));
    }

    @Test
    void relayOpenRejectsBadBodies() {
        RelayOpenFrame f = new RelayOpenFrame();
        assertFalse(f.decode(new byte[0], 0, 0), "empty");
        assertFalse(f.decode(hex("05"), 0, 1), "no route");
        assertFalse(f.decode(hex("4005"), 0, 1), "truncated circuit id");
        assertFalse(f.decode(hex("05" + rep("11", 31)), 0, 32), "31 key bytes");
        assertFalse(f.decode(hex("05" + rep("11", 33)), 0, 34), "33 key bytes");
        assertTrue(f.decode(hex("05" + rep("11", 128)), 0, 129), "four keys");
        assertEquals(4, f.hops());
        assertFalse(f.decode(hex("05" + rep("11", 160)), 0, 161), "five keys");
        assertFalse(f.decode(hex("05" + rep("11", 32)), 1, 33), "body beyond the array");
        assertFalse(f.decode(hex("05" + rep("11", 32)), -1, 33), "negative offset");
        assertFalse(f.decode(hex("05" + rep("11", 32)), 0, -1), "negative length");
    }

    @Test
    void relayOpenWriteRejectsProgrammingErrors() {
        byte[] b = new byte[256];
        assertThrows(IllegalArgumentException.class, () -> RelayOpenFrame.write(b, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> RelayOpenFrame.write(b, 0, 1, key(1), key(2), key(3), key(4), key(5)));
        assertThrows(IllegalArgumentException.class, () -> RelayOpenFrame.write(b, 0, 1, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RelayOpenFrame.write(b, 0, -1, key(1)));
        assertThrows(IllegalArgumentException.class, () -> RelayOpenFrame.write(b, 0, 1, new byte[160], 0, 5));
        assertThrows(IllegalArgumentException.class, () -> RelayOpenFrame.write(b, 0, 1, new byte[32], 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> RelayOpenFrame.write(b, 0, 1, new byte[63], 0, 2));
        assertThrows(IllegalArgumentException.class, () -> RelayOpenFrame.frameLength(1, 0));
    }

    // ------------------------------------------------------------------ RELAY_OPENED, RELAY_REFUSED, RELAY_CLOSE

    @Test
    void relayOpenedBytes() {
        byte[] b = new byte[16];
        // max message 1420 = 0x058c: two-byte varint 458c
        int n = RelayOpenedFrame.write(b, 0, 5, 1420);
        assertArrayEquals(hex("51 03 05 458c"), Arrays.copyOf(b, n));
        assertEquals(n, RelayOpenedFrame.frameLength(5, 1420));
        RelayOpenedFrame f = new RelayOpenedFrame();
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(5, f.circuit());
        assertEquals(1420, f.maxMessage());
        // 65507 = 0xffe3 needs four bytes: 8000ffe3
        n = RelayOpenedFrame.write(b, 0, 16384, 65507);
        assertArrayEquals(hex("51 08 80004000 8000ffe3"), Arrays.copyOf(b, n));
        assertFalse(f.decode(hex("05"), 0, 1), "one varint");
        assertFalse(f.decode(hex("05 458c 00"), 0, 4), "trailing byte");
        assertFalse(f.decode(hex("05 45"), 0, 2), "truncated");
    }

    @Test
    void relayRefusedBytes() {
        byte[] b = new byte[16];
        int n = CircuitReasonFrame.write(b, 0, MeshFrame.RELAY_REFUSED, 63, RelayReason.NO_ROUTE);
        assertArrayEquals(hex("52 02 3f 02"), Arrays.copyOf(b, n));
        assertEquals(n, CircuitReasonFrame.frameLength(63, RelayReason.NO_ROUTE));
        n = CircuitReasonFrame.write(b, 0, MeshFrame.RELAY_REFUSED, 64, RelayReason.LOOP);
        assertArrayEquals(hex("52 03 4040 06"), Arrays.copyOf(b, n));
        CircuitReasonFrame f = new CircuitReasonFrame();
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(64, f.circuit());
        assertEquals(RelayReason.LOOP, f.reason());
        // an unknown code decodes like any other
        assertTrue(f.decode(hex("07 4123"), 0, 3));
        assertEquals(0x123, f.reason());
        assertEquals("code 291", RelayReason.describe(f.reason()));
        assertFalse(f.decode(hex("07 06 00"), 0, 3), "trailing byte");
        assertFalse(f.decode(hex("07"), 0, 1), "no reason");
    }

    @Test
    void relayCloseBytes() {
        byte[] b = new byte[16];
        int n = CircuitReasonFrame.write(b, 0, MeshFrame.RELAY_CLOSE, 7, RelayReason.IDLE);
        assertArrayEquals(hex("54 02 07 09"), Arrays.copyOf(b, n));
        assertEquals(n, CircuitReasonFrame.frameLength(7, RelayReason.IDLE));
        n = CircuitReasonFrame.write(b, 1, MeshFrame.RELAY_CLOSE, 494878333L, RelayReason.TARGET_GONE);
        assertArrayEquals(hex("54 05 9d7f3e7d 0a"), Arrays.copyOfRange(b, 1, 1 + n));
        CircuitReasonFrame f = new CircuitReasonFrame();
        assertTrue(f.decode(b, 3, n - 2));
        assertEquals(494878333L, f.circuit());
        assertEquals(RelayReason.TARGET_GONE, f.reason());
        assertFalse(f.decode(hex("9d7f3e"), 0, 3), "truncated circuit id");
        assertFalse(f.decode(new byte[0], 0, 0), "empty");
    }

    @Test
    void reasonCodes() {
        int[] codes = {RelayReason.DISABLED, RelayReason.NO_ROUTE, RelayReason.CAPACITY, RelayReason.RATE_LIMITED,
            RelayReason.ROUTE_TOO_LONG, RelayReason.LOOP, RelayReason.NOT_ALLOWED, RelayReason.CLOSED_BY_PEER,
            RelayReason.IDLE, RelayReason.TARGET_GONE};
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, codes);
        List<String> names = new ArrayList<>();
        for (int c : codes) {
            names.add(RelayReason.describe(c));
        }
        assertEquals(List.of("DISABLED", "NO_ROUTE", "CAPACITY", "RATE_LIMITED", "ROUTE_TOO_LONG", "LOOP",
                "NOT_ALLOWED", "CLOSED_BY_PEER", "IDLE", "TARGET_GONE"), names);
        assertEquals("code 0", RelayReason.describe(0));
        assertEquals("code 11", RelayReason.describe(11));
        assertEquals("code 4611686018427387903", RelayReason.describe(VarInt.MAX));
        assertEquals("code 4294967297", RelayReason.describe((1L << 32) + 1), "not mistaken for code 1");
    }

    // ------------------------------------------------------------------ RELAY_DATA

    @Test
    void relayDataBytes() {
        byte[] b = new byte[128];
        int n = RelayDataFrame.write(b, 0, 7, "hi".getBytes(), 0, 2);
        assertArrayEquals(hex("53 03 07 6869"), Arrays.copyOf(b, n));
        assertEquals(n, RelayDataFrame.frameLength(7, 2));
        n = RelayDataFrame.write(b, 0, 494878333L, new byte[] {(byte) 0xff}, 0, 1);
        assertArrayEquals(hex("53 05 9d7f3e7d ff"), Arrays.copyOf(b, n));
        // body 63 (circuit 1 + 62 bytes): one-byte length; body 64: two-byte length 4040
        byte[] inner = new byte[63];
        Arrays.fill(inner, (byte) 0x5a);
        n = RelayDataFrame.write(b, 0, 1, inner, 0, 62);
        assertArrayEquals(hex("53 3f 01" + rep("5a", 62)), Arrays.copyOf(b, n));
        n = RelayDataFrame.write(b, 0, 1, inner, 0, 63);
        assertArrayEquals(hex("53 4040 01" + rep("5a", 63)), Arrays.copyOf(b, n));
        assertEquals(3, RelayDataFrame.headerLength(1, 62));
        assertEquals(4, RelayDataFrame.headerLength(1, 63));
        assertEquals(1 + 2 + 8, RelayDataFrame.headerLength(1L << 40, 1500));
        assertEquals(RelayDataFrame.MAX_HEADER_LENGTH,
                RelayDataFrame.headerLength(VarInt.MAX, RelayDataFrame.MAX_INNER_LENGTH));
    }

    @Test
    void relayDataHeaderInPlaceLeavesTheMessageUntouched() {
        // a WireGuard transport message (type 4, reserved, receiver, counter, 16-byte tag) already in a buffer
        byte[] message = hex("04000000 11223344 0100000000000000" + rep("c3", 16));
        byte[] buf = new byte[RelayDataFrame.MAX_HEADER_LENGTH + message.length + 4];
        Arrays.fill(buf, (byte) 0xee);
        int m = RelayDataFrame.MAX_HEADER_LENGTH;
        System.arraycopy(message, 0, buf, m, message.length);

        int start = m - RelayDataFrame.headerLength(300, message.length);
        assertEquals(m, RelayDataFrame.writeHeader(buf, start, 300, message.length));
        assertArrayEquals(hex("53 22 412c"), Arrays.copyOfRange(buf, start, m), "type, length 34, circuit 300");
        assertArrayEquals(message, Arrays.copyOfRange(buf, m, m + message.length));
        for (int i = 0; i < start; i++) {
            assertEquals((byte) 0xee, buf[i], "nothing written before the header");
        }
        for (int i = m + message.length; i < buf.length; i++) {
            assertEquals((byte) 0xee, buf[i], "nothing written after the message");
        }

        RelayDataFrame f = new RelayDataFrame();
        List<Long> circuits = new ArrayList<>();
        assertTrue(MeshFrame.forEach(buf, start, m + message.length - start, (type, b, off, len) -> {
            assertEquals(MeshFrame.RELAY_DATA, type);
            assertTrue(f.decode(b, off, len));
            circuits.add(f.circuit());
        }));
        assertEquals(List.of(300L), circuits);
        assertEquals(m, f.innerOffset());
        assertEquals(message.length, f.innerLength());
    }

    @Test
    void relayDataWriteMayShiftAMessageInTheSameArray() {
        byte[] buf = new byte[40];
        for (int i = 0; i < 20; i++) {
            buf[i] = (byte) (i + 1);
        }
        // the message at buf[0..20) becomes the inner message of a frame written at buf[0]
        int n = RelayDataFrame.write(buf, 0, 9, buf, 0, 20);
        assertEquals(23, n);
        assertArrayEquals(hex("53 15 09 0102030405060708090a0b0c0d0e0f1011121314"), Arrays.copyOf(buf, n));
    }

    @Test
    void relayDataRejectsBadBodies() {
        RelayDataFrame f = new RelayDataFrame();
        assertFalse(f.decode(new byte[0], 0, 0), "empty");
        assertFalse(f.decode(hex("07"), 0, 1), "no inner message");
        assertFalse(f.decode(hex("4007"), 0, 2), "no inner message after a two-byte circuit id");
        assertFalse(f.decode(hex("80 00 01"), 0, 3), "truncated circuit id");
        assertTrue(f.decode(hex("07 00"), 0, 2), "one inner byte");
        assertEquals(1, f.innerLength());
        assertFalse(f.decode(hex("07 00"), 1, 2), "body beyond the array");
        assertFalse(f.decode(hex("07 00"), -1, 2), "negative offset");
        assertFalse(f.decode(hex("07 00"), 0, -2), "negative length");
    }

    @Test
    void relayDataWriteRejectsProgrammingErrors() {
        byte[] b = new byte[32];
        assertThrows(IllegalArgumentException.class, () -> RelayDataFrame.headerLength(1, 0));
        assertThrows(IllegalArgumentException.class, () -> RelayDataFrame.writeHeader(b, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> RelayDataFrame.write(b, 0, 1, b, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> RelayDataFrame.headerLength(-1, 5));
        assertThrows(IllegalArgumentException.class,
                () -> RelayDataFrame.headerLength(1, RelayDataFrame.MAX_INNER_LENGTH + 1));
    }

    @Test
    void maxInnerLengthFillsButNeverOverflows() {
        assertEquals(-1, RelayDataFrame.maxInnerLength(3, 7));
        assertEquals(1, RelayDataFrame.maxInnerLength(4, 7));
        assertEquals(62, RelayDataFrame.maxInnerLength(65, 1));
        assertEquals(62, RelayDataFrame.maxInnerLength(66, 1)); // 63 would need a two-byte length
        assertEquals(63, RelayDataFrame.maxInnerLength(67, 1));
        assertEquals(-1, RelayDataFrame.maxInnerLength(0, 1));
        assertEquals(-1, RelayDataFrame.maxInnerLength(-5, 1));
        assertEquals(RelayDataFrame.MAX_INNER_LENGTH, RelayDataFrame.maxInnerLength(Integer.MAX_VALUE, 1));
        for (int max = 0; max < 20_000; max += 3) {
            for (long c : new long[] {0, 63, 64, 16383, 16384, 1L << 30, VarInt.MAX}) {
                int d = RelayDataFrame.maxInnerLength(max, c);
                if (d < 0) {
                    assertTrue(RelayDataFrame.frameLength(c, 1) > max, max + "/" + c);
                } else {
                    assertTrue(RelayDataFrame.frameLength(c, d) <= max, "fits at " + max + "/" + c);
                    assertTrue(RelayDataFrame.frameLength(c, d + 1) > max, "largest at " + max + "/" + c);
                }
            }
        }
    }

    @Test
    void relayDataDecodeAllocatesNothing() {
        var threads = ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean t) || !t.isThreadAllocatedMemorySupported()) {
            return;
        }
        byte[] b = new byte[1500];
        int n = RelayDataFrame.write(b, 0, 70_000, new byte[1400], 0, 1400);
        int bodyOff = 3; // type, two-byte length
        RelayDataFrame f = new RelayDataFrame();
        long sum = 0;
        for (int i = 0; i < 20_000; i++) { // warm up
            sum += f.decode(b, bodyOff, n - 3) ? f.innerLength() : 0;
        }
        long before = t.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200_000; i++) {
            sum += f.decode(b, bodyOff, n - 3) ? f.innerLength() : 0;
        }
        long allocated = t.getCurrentThreadAllocatedBytes() - before;
        assertEquals(220_000L * 1400, sum);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 200,000 decodes");
    }

    // ------------------------------------------------------------------ PROBE, PROBE_ACK

    @Test
    void probeBytes() {
        byte[] b = new byte[32];
        int n = ProbeFrame.writeProbe(b, 0, 0x0102030405060708L);
        assertArrayEquals(hex("58 08 0102030405060708"), Arrays.copyOf(b, n));
        assertEquals(n, ProbeFrame.probeFrameLength());
        n = ProbeFrame.writeProbe(b, 2, -2);
        assertArrayEquals(hex("58 08 fffffffffffffffe"), Arrays.copyOfRange(b, 2, 2 + n));
        ProbeFrame f = new ProbeFrame();
        assertTrue(f.decode(MeshFrame.PROBE, b, 4, 8));
        assertFalse(f.ack());
        assertEquals(-2, f.probeId());
        assertFalse(f.hasObserved());
        assertNull(f.observed());
    }

    @Test
    void probeAckBytes() throws Exception {
        byte[] b = new byte[64];
        ProbeFrame f = new ProbeFrame();

        int n = ProbeFrame.writeAck(b, 0, 0x0102030405060708L, null);
        assertArrayEquals(hex("59 08 0102030405060708"), Arrays.copyOf(b, n));
        assertEquals(n, ProbeFrame.ackFrameLength(null));
        assertTrue(f.decode(MeshFrame.PROBE_ACK, b, 2, n - 2));
        assertTrue(f.ack());
        assertFalse(f.hasObserved());
        assertEquals(0, f.observedFamily());
        assertNull(f.observed());

        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 51820);
        n = ProbeFrame.writeAck(b, 0, 0x0102030405060708L, v4);
        assertArrayEquals(hex("59 0f 0102030405060708 04 c0000201 ca6c"), Arrays.copyOf(b, n));
        assertEquals(17, n);
        assertEquals(n, ProbeFrame.ackFrameLength(v4));
        assertTrue(f.decode(MeshFrame.PROBE_ACK, b, 2, n - 2));
        assertEquals(0x0102030405060708L, f.probeId());
        assertEquals(ProbeFrame.FAMILY_IPV4, f.observedFamily());
        assertEquals(51820, f.observedPort());
        assertEquals(v4, f.observed());

        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443);
        n = ProbeFrame.writeAck(b, 1, 42, v6);
        assertArrayEquals(hex("59 1b 000000000000002a 06 20010db8000000000000000000000001 01bb"),
                Arrays.copyOfRange(b, 1, 1 + n));
        assertEquals(29, n);
        assertEquals(n, ProbeFrame.ackFrameLength(v6));
        assertTrue(f.decode(MeshFrame.PROBE_ACK, b, 3, n - 2));
        assertEquals(42, f.probeId());
        assertEquals(ProbeFrame.FAMILY_IPV6, f.observedFamily());
        assertEquals(v6, f.observed());

        // the highest port is unsigned
        n = ProbeFrame.writeAck(b, 0, 1, new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 65535));
        assertArrayEquals(hex("59 0f 0000000000000001 04 0a000001 ffff"), Arrays.copyOf(b, n));
        assertTrue(f.decode(MeshFrame.PROBE_ACK, b, 2, n - 2));
        assertEquals(65535, f.observedPort());

        // a later ack without an address forgets the earlier one
        assertTrue(f.decode(MeshFrame.PROBE_ACK, hex("0000000000000009"), 0, 8));
        assertNull(f.observed());
    }

    @Test
    void probeFramesRejectBadBodies() {
        ProbeFrame f = new ProbeFrame();
        byte[] id = hex("0102030405060708");
        assertFalse(f.decode(MeshFrame.PROBE, id, 0, 7), "short probe");
        assertFalse(f.decode(MeshFrame.PROBE, hex("0102030405060708 00"), 0, 9), "long probe");
        assertFalse(f.decode(MeshFrame.PROBE, hex("0102030405060708 04 c0000201 ca6c"), 0, 15),
                "a probe does not carry an address");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, id, 0, 7), "short ack");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 04"), 0, 9), "family only");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 05 c0000201 ca6c"), 0, 15), "family 5");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 00 c0000201 ca6c"), 0, 15), "family 0");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 06 c0000201 ca6c"), 0, 15),
                "family 6 with 4 address bytes");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 04" + rep("00", 16) + "01bb"), 0, 27),
                "family 4 with 16 address bytes");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 04 c0000201 ca"), 0, 14), "half a port");
        assertFalse(f.decode(MeshFrame.PROBE_ACK, hex("0102030405060708 04 c0000201 ca6c 00"), 0, 16),
                "trailing byte");
        assertFalse(f.decode(MeshFrame.PING, id, 0, 8), "not a probe type");
        assertFalse(f.decode(MeshFrame.PROBE, id, 1, 8), "body beyond the array");
        assertFalse(f.decode(MeshFrame.PROBE, id, -1, 8), "negative offset");
    }

    @Test
    void probeAckRejectsAnUnresolvedAddress() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 1);
        assertThrows(IllegalArgumentException.class, () -> ProbeFrame.ackFrameLength(unresolved));
        assertThrows(IllegalArgumentException.class, () -> ProbeFrame.writeAck(new byte[64], 0, 1, unresolved));
    }

    // ------------------------------------------------------------------ mixed payloads

    @Test
    void forEachWalksNewFramesMixedWithExistingOnes() throws Exception {
        byte[] b = new byte[512];
        int p = 0;
        p += PacketHeaderFrame.write(b, p, 0x01020304, 0, 1);
        p += RelayOpenFrame.write(b, p, 1, key(0x10), key(0x20));
        p += MaxDataFrame.write(b, p, 1 << 20);
        p += RelayOpenedFrame.write(b, p, 1, 1420);
        p += RelayDataFrame.write(b, p, 1, new byte[] {4, 0, 0, 0, 9}, 0, 5);
        b[p++] = (byte) MeshFrame.PING;
        b[p++] = 0;
        p += ProbeFrame.writeProbe(b, p, 77);
        p += CircuitReasonFrame.write(b, p, MeshFrame.RELAY_REFUSED, 2, RelayReason.CAPACITY);
        p += StreamFrame.write(b, p, 3, 0, true, new byte[] {1}, 0, 1);
        p += ProbeFrame.writeAck(b, p, 77, new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 4242));
        p += CircuitReasonFrame.write(b, p, MeshFrame.RELAY_CLOSE, 1, RelayReason.CLOSED_BY_PEER);
        p += ConnectionCloseFrame.write(b, p, 0, "bye");
        int end = p + 16; // then WireGuard's zero padding

        RelayOpenFrame open = new RelayOpenFrame();
        RelayOpenedFrame opened = new RelayOpenedFrame();
        CircuitReasonFrame refused = new CircuitReasonFrame();
        RelayDataFrame data = new RelayDataFrame();
        CircuitReasonFrame close = new CircuitReasonFrame();
        ProbeFrame probe = new ProbeFrame();
        List<String> seen = new ArrayList<>();
        assertTrue(MeshFrame.forEach(b, 0, end, (type, buf, off, len) -> {
            switch (type) {
                case MeshFrame.RELAY_OPEN -> {
                    assertTrue(open.decode(buf, off, len));
                    seen.add("open " + open.circuit() + " " + open.hops() + " " + open.target()[0]);
                }
                case MeshFrame.RELAY_OPENED -> {
                    assertTrue(opened.decode(buf, off, len));
                    seen.add("opened " + opened.circuit() + " " + opened.maxMessage());
                }
                case MeshFrame.RELAY_REFUSED -> {
                    assertTrue(refused.decode(buf, off, len));
                    seen.add("refused " + refused.circuit() + " " + RelayReason.describe(refused.reason()));
                }
                case MeshFrame.RELAY_DATA -> {
                    assertTrue(data.decode(buf, off, len));
                    seen.add("data " + data.circuit() + " " + data.innerLength() + " " + buf[data.innerOffset() + 4]);
                }
                case MeshFrame.RELAY_CLOSE -> {
                    assertTrue(close.decode(buf, off, len));
                    seen.add("close " + close.circuit() + " " + RelayReason.describe(close.reason()));
                }
                case MeshFrame.PROBE, MeshFrame.PROBE_ACK -> {
                    assertTrue(probe.decode(type, buf, off, len));
                    seen.add((probe.ack() ? "ack " : "probe ") + probe.probeId()
                            + (probe.hasObserved() ? " " + probe.observed() : ""));
                }
                default -> seen.add(String.format("0x%02x", type));
            }
        }));
        assertEquals(List.of("0x20", "open 1 2 32", "0x10", "opened 1 1420", "data 1 5 9", "0x01", "probe 77",
                "refused 2 CAPACITY", "0x09", "ack 77 /198.51.100.7:4242", "close 1 CLOSED_BY_PEER", "0x1c"), seen);
    }
}
