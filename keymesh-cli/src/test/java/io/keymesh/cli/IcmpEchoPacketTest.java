package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class IcmpEchoPacketTest {
    /**
     * Captured with tshark on Linux 6.18: {@code ping -c 1 -s 16 -I 10.99.0.1 10.99.0.1} in a
     * namespace. Both checksums are the kernel's.
     */
    static final byte[] KERNEL_REQUEST = HexFormat.of().parseHex(
            "4500002c26e8400040" + "01ff210a6300010a630001"
            + "0800a91c47900001" + "d89f056b000000001b470e0000000000");
    /** The kernel's reply to {@link #KERNEL_REQUEST}. */
    static final byte[] KERNEL_REPLY = HexFormat.of().parseHex(
            "4500002c26e9000040" + "013f210a6300010a630001"
            + "0000b11c47900001" + "d89f056b000000001b470e0000000000");
    static final int ADDR_10_99_0_1 = 0x0a630001;
    static final int ADDR_10_99_0_2 = 0x0a630002;

    @Test
    void rfc1071ExampleChecksum() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(~0xddf2 & 0xffff, InternetChecksum.of(b, 0, b.length));
    }

    @Test
    void checksumPadsAnOddByteAndVerifiesToZero() {
        byte[] b = {0x12, 0x34, 0x56};
        // 0x1234 + 0x5600 = 0x6834
        assertEquals(~0x6834 & 0xffff, InternetChecksum.of(b, 0, 3));
        byte[] withSum = HexFormat.of().parseHex("123456000000");
        int c = InternetChecksum.of(withSum, 0, 4);
        withSum[4] = (byte) (c >>> 8);
        withSum[5] = (byte) c;
        assertEquals(0, InternetChecksum.of(withSum, 0, 6));
    }

    @Test
    void checksumOfTheWikipediaIpv4HeaderExample() {
        byte[] h = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, InternetChecksum.of(h, 0, h.length));
    }

    @Test
    void parsesTheKernelsRequest() {
        IcmpEchoPacket p = IcmpEchoPacket.parse(KERNEL_REQUEST, 0, KERNEL_REQUEST.length);
        assertNotNull(p);
        assertTrue(p.isRequest());
        assertEquals(ADDR_10_99_0_1, p.source());
        assertEquals(ADDR_10_99_0_1, p.destination());
        assertEquals(0x4790, p.identifier());
        assertEquals(1, p.sequence());
        assertEquals(64, p.ttl());
        assertEquals(0x26e8, p.ipIdentification());
        assertTrue(p.dontFragment());
        assertArrayEquals(Arrays.copyOfRange(KERNEL_REQUEST, 28, 44), p.data());
        assertEquals(KERNEL_REQUEST.length, p.length());
    }

    @Test
    void buildsTheKernelsRequestByteForByte() {
        byte[] data = Arrays.copyOfRange(KERNEL_REQUEST, 28, 44);
        IcmpEchoPacket p = IcmpEchoPacket.request(ADDR_10_99_0_1, ADDR_10_99_0_1, 0x4790, 1, data, 0x26e8);
        byte[] out = new byte[p.length()];
        assertEquals(KERNEL_REQUEST.length, p.writeTo(out, 0));
        assertArrayEquals(KERNEL_REQUEST, out);
    }

    @Test
    void answersAsTheKernelAnswers() {
        IcmpEchoPacket request = IcmpEchoPacket.parse(KERNEL_REQUEST, 0, KERNEL_REQUEST.length);
        IcmpEchoPacket reply = request.reply(0x26e9);
        byte[] out = new byte[reply.length()];
        reply.writeTo(out, 0);
        assertArrayEquals(KERNEL_REPLY, out);
        IcmpEchoPacket parsed = IcmpEchoPacket.parse(KERNEL_REPLY, 0, KERNEL_REPLY.length);
        assertTrue(parsed.isReply());
        assertFalse(parsed.dontFragment());
    }

    @Test
    void replySwapsAddressesAndKeepsIdentifierSequenceAndData() {
        byte[] data = WgPingCommand.data(7);
        IcmpEchoPacket request = IcmpEchoPacket.request(ADDR_10_99_0_2, ADDR_10_99_0_1, 4242, 7, data, 1);
        IcmpEchoPacket reply = request.reply(2);
        assertEquals(IcmpEchoPacket.ECHO_REPLY, reply.type());
        assertEquals(ADDR_10_99_0_1, reply.source());
        assertEquals(ADDR_10_99_0_2, reply.destination());
        assertEquals(4242, reply.identifier());
        assertEquals(7, reply.sequence());
        assertTrue(reply.dataEquals(data));
    }

    @Test
    void writesAtAnOffsetAndParsesPastWireGuardPadding() {
        IcmpEchoPacket p = IcmpEchoPacket.request(ADDR_10_99_0_2, ADDR_10_99_0_1, 1, 65535, WgPingCommand.data(3), 65535);
        byte[] buf = new byte[16 + 96 + 16];
        Arrays.fill(buf, (byte) 0x5a);
        int n = p.writeTo(buf, 16);
        assertEquals(84, n);
        Arrays.fill(buf, 16 + n, 16 + 96, (byte) 0); // zero padding to a multiple of 16
        IcmpEchoPacket back = IcmpEchoPacket.parse(buf, 16, 96);
        assertNotNull(back);
        assertEquals(65535, back.sequence());
        assertEquals(65535, back.ipIdentification());
        assertTrue(back.dataEquals(WgPingCommand.data(3)));
        assertEquals(0, InternetChecksum.of(buf, 16, 20));
        assertEquals(0, InternetChecksum.of(buf, 36, n - 20));
    }

    @Test
    void oddLengthDataGetsAValidIcmpChecksum() {
        IcmpEchoPacket p = IcmpEchoPacket.request(ADDR_10_99_0_2, ADDR_10_99_0_1, 9, 9, new byte[] {1, 2, 3}, 9);
        byte[] out = new byte[p.length()];
        p.writeTo(out, 0);
        assertEquals(31, out.length);
        assertNotNull(IcmpEchoPacket.parse(out, 0, out.length));
    }

    @Test
    void skipsIpv4Options() {
        // The kernel's request with a 4-byte NOP/EOL option: IHL 6, total length + 4, header checksum redone.
        byte[] b = new byte[KERNEL_REQUEST.length + 4];
        System.arraycopy(KERNEL_REQUEST, 0, b, 0, 20);
        b[0] = 0x46;
        b[3] = (byte) (KERNEL_REQUEST.length + 4);
        b[20] = 1; // NOP, NOP, NOP, EOL
        b[21] = 1;
        b[22] = 1;
        b[23] = 0;
        System.arraycopy(KERNEL_REQUEST, 20, b, 24, KERNEL_REQUEST.length - 20);
        b[10] = 0;
        b[11] = 0;
        int c = InternetChecksum.of(b, 0, 24);
        b[10] = (byte) (c >>> 8);
        b[11] = (byte) c;
        IcmpEchoPacket p = IcmpEchoPacket.parse(b, 0, b.length);
        assertNotNull(p);
        assertEquals(1, p.sequence());
        assertArrayEquals(Arrays.copyOfRange(KERNEL_REQUEST, 28, 44), p.data());
    }

    @Test
    void refusesWhatIsNotAWellFormedEcho() {
        assertNull(IcmpEchoPacket.parse(KERNEL_REQUEST, 0, 19), "shorter than an IPv4 header");
        assertNull(IcmpEchoPacket.parse(KERNEL_REQUEST, 0, KERNEL_REQUEST.length - 1), "total length past the bytes");
        assertNull(IcmpEchoPacket.parse(with(KERNEL_REQUEST, 0, 0x65), 0, KERNEL_REQUEST.length), "IPv6 version");
        assertNull(IcmpEchoPacket.parse(with(KERNEL_REQUEST, 0, 0x44), 0, KERNEL_REQUEST.length), "IHL below 5");
        assertNull(IcmpEchoPacket.parse(with(KERNEL_REQUEST, 11, 0x22), 0, KERNEL_REQUEST.length), "bad header checksum");
        assertNull(IcmpEchoPacket.parse(with(KERNEL_REQUEST, 23, 0x1d), 0, KERNEL_REQUEST.length), "bad ICMP checksum");
        assertNull(IcmpEchoPacket.parse(with(KERNEL_REQUEST, 43, 0x01), 0, KERNEL_REQUEST.length), "data changed");
        assertNull(IcmpEchoPacket.parse(reheader(KERNEL_REQUEST, 9, 17), 0, KERNEL_REQUEST.length), "UDP, not ICMP");
        assertNull(IcmpEchoPacket.parse(reheader(KERNEL_REQUEST, 6, 0x60), 0, KERNEL_REQUEST.length), "more fragments");
        assertNull(IcmpEchoPacket.parse(reheader(KERNEL_REQUEST, 7, 0x01), 0, KERNEL_REQUEST.length), "fragment offset");
        assertNull(IcmpEchoPacket.parse(reicmp(KERNEL_REQUEST, 20, 3), 0, KERNEL_REQUEST.length), "destination unreachable");
        assertNull(IcmpEchoPacket.parse(reicmp(KERNEL_REQUEST, 21, 1), 0, KERNEL_REQUEST.length), "non-zero code");
    }

    @Test
    void refusesOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class,
                () -> IcmpEchoPacket.request(0, 0, 0x10000, 0, new byte[0], 0));
        assertThrows(IllegalArgumentException.class,
                () -> IcmpEchoPacket.request(0, 0, 0, -1, new byte[0], 0));
        assertThrows(IllegalArgumentException.class,
                () -> IcmpEchoPacket.request(0, 0, 0, 0, new byte[IcmpEchoPacket.MAX_DATA_LENGTH + 1], 0));
        IcmpEchoPacket p = IcmpEchoPacket.request(0, 0, 0, 0, new byte[8], 0);
        assertThrows(IndexOutOfBoundsException.class, () -> p.writeTo(new byte[35], 0));
    }

    @Test
    void addressConversions() throws Exception {
        assertEquals(ADDR_10_99_0_2, WgPingCommand.parseIpv4("--address", "10.99.0.2"));
        assertEquals("10.99.0.2", IcmpEchoPacket.addressText(ADDR_10_99_0_2));
        assertEquals("255.255.255.255", IcmpEchoPacket.addressText(-1));
        assertEquals("10.99.0.1", IcmpEchoPacket.intToAddress(ADDR_10_99_0_1).getHostAddress());
        assertEquals(ADDR_10_99_0_1,
                IcmpEchoPacket.addressToInt((java.net.Inet4Address) java.net.InetAddress.getByName("10.99.0.1")));
    }

    private static byte[] with(byte[] b, int index, int value) {
        byte[] c = b.clone();
        c[index] = (byte) value;
        return c;
    }

    /** Changes an IPv4 header byte and fixes the header checksum, so that only the change is wrong. */
    private static byte[] reheader(byte[] b, int index, int value) {
        byte[] c = with(b, index, value);
        c[10] = 0;
        c[11] = 0;
        int s = InternetChecksum.of(c, 0, 20);
        c[10] = (byte) (s >>> 8);
        c[11] = (byte) s;
        return c;
    }

    /** Changes an ICMP byte and fixes the ICMP checksum. */
    private static byte[] reicmp(byte[] b, int index, int value) {
        byte[] c = with(b, index, value);
        c[22] = 0;
        c[23] = 0;
        int s = InternetChecksum.of(c, 20, c.length - 20);
        c[22] = (byte) (s >>> 8);
        c[23] = (byte) s;
        return c;
    }
}
