package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.CandidatesFrame.Candidate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes of the going-direct frames, CANDIDATES (0x5C) and OBSERVED_ADDRESS (0x5D), against
 * hand-written known answers, and their rejection of bad bodies.
 */
class CandidateFramesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    private static InetSocketAddress addr(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void typesAreLegalFreeAndOutsideTheSeekRange() {
        assertEquals(0x5C, MeshFrame.CANDIDATES);
        assertEquals(0x5D, MeshFrame.OBSERVED_ADDRESS);
        assertTrue(MeshFrame.isValidType(MeshFrame.CANDIDATES));
        assertTrue(MeshFrame.isValidType(MeshFrame.OBSERVED_ADDRESS));
        int[] taken = {MeshFrame.PING, 0x02, 0x03, MeshFrame.RESET_STREAM, MeshFrame.STREAM, MeshFrame.STREAM_FIN,
            MeshFrame.MAX_DATA, MeshFrame.MAX_STREAM_DATA, MeshFrame.DATA_BLOCKED, MeshFrame.STREAM_DATA_BLOCKED,
            MeshFrame.CONNECTION_CLOSE, MeshFrame.PACKET, MeshFrame.DATAGRAM, MeshFrame.RELAY_OPEN,
            MeshFrame.RELAY_OPENED, MeshFrame.RELAY_REFUSED, MeshFrame.RELAY_DATA, MeshFrame.RELAY_CLOSE,
            MeshFrame.PROBE, MeshFrame.PROBE_ACK, 0x5A, 0x5B};
        for (int t : taken) {
            assertTrue(t != MeshFrame.CANDIDATES && t != MeshFrame.OBSERVED_ADDRESS, "type " + t + " already taken");
        }
    }

    @Test
    void observedAddressBytes() throws Exception {
        byte[] b = new byte[32];
        InetSocketAddress v4 = addr("198.51.100.7", 51820);
        int n = ObservedAddressFrame.write(b, 1, v4);
        assertArrayEquals(hex("5d 07 04 c6336407 ca6c"), Arrays.copyOfRange(b, 1, 1 + n));
        assertEquals(n, ObservedAddressFrame.frameLength(v4));
        ObservedAddressFrame f = new ObservedAddressFrame();
        assertTrue(f.decode(b, 3, n - 2));
        assertEquals(v4, f.address());

        InetSocketAddress v6 = addr("2001:db8::2", 1);
        n = ObservedAddressFrame.write(b, 0, v6);
        assertArrayEquals(hex("5d 13 06 20010db8000000000000000000000002 0001"), Arrays.copyOf(b, n));
        assertEquals(21, n);
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(v6, f.address());
    }

    @Test
    void observedAddressRejectsBadBodies() {
        ObservedAddressFrame f = new ObservedAddressFrame();
        assertFalse(f.decode(hex(""), 0, 0), "empty");
        assertFalse(f.decode(hex("04 c6336407"), 0, 5), "no port");
        assertFalse(f.decode(hex("04 c6336407 ca6c 00"), 0, 8), "trailing byte");
        assertFalse(f.decode(hex("05 c6336407 ca6c"), 0, 7), "family 5");
        assertFalse(f.decode(hex("06 c6336407 ca6c"), 0, 7), "family 6 with 4 bytes");
        assertFalse(f.decode(hex("04 c6336407 ca6c"), 0, 8), "body past the array");
        assertFalse(f.decode(hex("04 c6336407 ca6c"), -1, 7), "negative offset");
        assertThrows(IllegalArgumentException.class,
                () -> ObservedAddressFrame.write(new byte[32], 0, InetSocketAddress.createUnresolved("example.org", 1)));
    }

    @Test
    void candidatesBytes() throws Exception {
        byte[] b = new byte[256];
        List<Candidate> cs = List.of(new Candidate(CandidatesFrame.KIND_SERVER_REFLEXIVE, addr("203.0.113.9", 40000)),
                new Candidate(CandidatesFrame.KIND_HOST, addr("192.168.1.2", 51820)),
                new Candidate(CandidatesFrame.KIND_HOST, addr("2001:db8::1", 51820)));
        int n = CandidatesFrame.write(b, 0, 7, 0, cs);
        assertArrayEquals(hex("5c 26 07 00"
                + " 02 04 cb007109 9c40"
                + " 01 04 c0a80102 ca6c"
                + " 01 06 20010db8000000000000000000000001 ca6c"), Arrays.copyOf(b, n));
        assertEquals(n, CandidatesFrame.frameLength(7, cs));
        CandidatesFrame f = new CandidatesFrame();
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(7, f.round());
        assertFalse(f.answer());
        assertEquals(3, f.count());
        for (int i = 0; i < 3; i++) {
            assertEquals(cs.get(i).kind(), f.kind(i));
            assertEquals(cs.get(i).address(), f.address(i));
        }

        // An answer with no candidates, a two-byte round.
        n = CandidatesFrame.write(b, 3, 300, CandidatesFrame.FLAG_ANSWER, List.of());
        assertArrayEquals(hex("5c 03 412c 01"), Arrays.copyOfRange(b, 3, 3 + n));
        assertTrue(f.decode(b, 5, n - 2));
        assertEquals(300, f.round());
        assertTrue(f.answer());
        assertEquals(0, f.count());
    }

    @Test
    void candidatesReadUnknownKindsAndFlagsAsSent() {
        CandidatesFrame f = new CandidatesFrame();
        assertTrue(f.decode(hex("00 fe 09 04 0a000001 0035"), 0, 10));
        assertEquals(0xfe, f.flags());
        assertFalse(f.answer(), "only bit 0 means an answer");
        assertEquals(9, f.kind(0));
    }

    @Test
    void candidatesRejectBadBodies() throws Exception {
        CandidatesFrame f = new CandidatesFrame();
        assertFalse(f.decode(hex(""), 0, 0), "empty");
        assertFalse(f.decode(hex("07"), 0, 1), "no flags");
        assertFalse(f.decode(hex("40"), 0, 1), "a truncated round");
        assertFalse(f.decode(hex("07 00 01"), 0, 3), "a kind alone");
        assertFalse(f.decode(hex("07 00 01 04 0a000001 00"), 0, 9), "a partial port");
        assertFalse(f.decode(hex("07 00 01 05 0a000001 0035"), 0, 10), "family 5");
        assertFalse(f.decode(hex("07 00 01 06 0a000001 0035"), 0, 10), "family 6, 4 bytes");
        assertFalse(f.decode(hex("07 00 01 04 0a000001 0035"), 0, 11), "body past the array");
        StringBuilder nine = new StringBuilder("07 00");
        for (int i = 0; i < 9; i++) {
            nine.append(" 01 04 0a000001 0035");
        }
        byte[] tooMany = hex(nine.toString());
        assertFalse(f.decode(tooMany, 0, tooMany.length), "nine candidates");
        assertTrue(f.decode(tooMany, 0, tooMany.length - 8), "eight");
        assertEquals(8, f.count());

        List<Candidate> many = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            many.add(new Candidate(CandidatesFrame.KIND_HOST, addr("10.0.0.1", 53)));
        }
        assertThrows(IllegalArgumentException.class, () -> CandidatesFrame.write(new byte[256], 0, 1, 0, many));
        assertThrows(IllegalArgumentException.class, () -> CandidatesFrame.write(new byte[256], 0, 1, 0,
                List.of(new Candidate(256, addr("10.0.0.1", 53)))));
    }
}
