package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The WireGuard message layouts (whitepaper section 5.4): classification by type and length, the
 * transport padding rule, and the demultiplexing of decrypted payloads.
 */
class WireLayoutTest {

    // ------------------------------------------------------------------ MessageType.of

    /**
     * wireguard-go reads the first four bytes as one little-endian uint32 ({@code
     * binary.LittleEndian.Uint32(packet[:4])} in device/receive.go) and switches on it: the three
     * reserved bytes are part of the type, so {@code 01 00 00 01} is type 0x01000001, not an
     * initiation. Initiation, response and cookie reply must have their exact size; transport
     * data at least 32 bytes (header and tag), any length above.
     */
    @ParameterizedTest(name = "type {0}, reserved {1}, length {2} -> {3}")
    @CsvSource({
        // type, reserved (3 bytes as one int, little-endian), length, expected
        "1, 0, 148, 1",
        "1, 0, 147, 0",
        "1, 0, 149, 0",
        "1, 0, 92, 0",
        "1, 0, 4, 0",
        "2, 0, 92, 2",
        "2, 0, 91, 0",
        "2, 0, 93, 0",
        "2, 0, 148, 0",
        "3, 0, 64, 3",
        "3, 0, 63, 0",
        "3, 0, 65, 0",
        "3, 0, 32, 0",
        "4, 0, 32, 4",
        "4, 0, 31, 0",
        "4, 0, 16, 0",
        "4, 0, 4, 0",
        "4, 0, 33, 4",
        "4, 0, 47, 4",
        "4, 0, 48, 4",
        "4, 0, 148, 4",
        "4, 0, 1500, 4",
        "4, 0, 65535, 4",
        // unknown types
        "0, 0, 148, 0",
        "0, 0, 32, 0",
        "5, 0, 32, 0",
        "5, 0, 148, 0",
        "255, 0, 64, 0",
        // non-zero reserved bytes: the little-endian uint32 is not 1..4
        "1, 65536, 148, 0",
        "1, 1, 148, 0",
        "1, 256, 148, 0",
        "2, 65536, 92, 0",
        "3, 1, 64, 0",
        "4, 65536, 32, 0",
        "4, 1, 1500, 0",
    })
    void classification(int type, int reserved, int length, int expected) {
        byte[] b = new byte[length];
        if (length >= 4) {
            Bytes.putIntLE(b, 0, type | reserved << 8);
        }
        assertEquals(expected, MessageType.of(b, 0, length));
    }

    @Test
    void reservedBytesAreThreeLittleEndianBytesAfterTheType() {
        byte[] b = new byte[HandshakeInitiation.LENGTH];
        b[0] = 0x01;
        b[3] = 0x01; // 01 00 00 01 = 0x01000001
        assertEquals(MessageType.INVALID, MessageType.of(b, 0, b.length));
        b[3] = 0;
        assertEquals(MessageType.HANDSHAKE_INITIATION, MessageType.of(b, 0, b.length));
        for (int i = 1; i <= 3; i++) {
            b[i] = (byte) 0x80;
            assertEquals(MessageType.INVALID, MessageType.of(b, 0, b.length), "reserved byte " + i);
            b[i] = 0;
        }
        b[0] = 0x00;
        b[1] = 0x01; // 00 01 00 00: type 256
        assertEquals(MessageType.INVALID, MessageType.of(b, 0, b.length));
    }

    @Test
    void fewerThanFourBytesAreNothing() {
        byte[] b = {1, 0, 0, 0};
        for (int len = 0; len < 4; len++) {
            assertEquals(MessageType.INVALID, MessageType.of(b, 0, len), "length " + len);
        }
    }

    @Test
    void classificationHonoursTheOffset() {
        byte[] b = new byte[7 + TransportData.MIN_LENGTH];
        b[0] = 1; // a decoy before the offset
        Bytes.putIntLE(b, 7, MessageType.TRANSPORT_DATA);
        assertEquals(MessageType.TRANSPORT_DATA, MessageType.of(b, 7, TransportData.MIN_LENGTH));
        assertEquals(MessageType.INVALID, MessageType.of(b, 7, TransportData.MIN_LENGTH - 1));
        assertEquals(MessageType.INVALID, MessageType.of(b, 0, b.length), "type 1 at 39 bytes");
    }

    @Test
    void layoutConstants() {
        assertEquals(148, HandshakeInitiation.LENGTH);
        assertEquals(HandshakeInitiation.LENGTH, HandshakeInitiation.MAC2 + 16);
        assertEquals(HandshakeInitiation.MAC2, HandshakeInitiation.MAC1 + 16);
        assertEquals(HandshakeInitiation.MAC1, HandshakeInitiation.TIMESTAMP + HandshakeInitiation.TIMESTAMP_LENGTH);
        assertEquals(HandshakeInitiation.TIMESTAMP, HandshakeInitiation.STATIC + HandshakeInitiation.STATIC_LENGTH);
        assertEquals(HandshakeInitiation.STATIC, HandshakeInitiation.EPHEMERAL + 32);
        assertEquals(92, HandshakeResponse.LENGTH);
        assertEquals(HandshakeResponse.LENGTH, HandshakeResponse.MAC2 + 16);
        assertEquals(HandshakeResponse.MAC1, HandshakeResponse.EMPTY + HandshakeResponse.EMPTY_LENGTH);
        assertEquals(HandshakeResponse.EMPTY, HandshakeResponse.EPHEMERAL + 32);
        assertEquals(64, CookieReply.LENGTH);
        assertEquals(CookieReply.LENGTH, CookieReply.COOKIE + CookieReply.COOKIE_LENGTH);
        assertEquals(CookieReply.COOKIE, CookieReply.NONCE + CookieReply.NONCE_LENGTH);
        assertEquals(32, TransportData.MIN_LENGTH);
    }

    @Test
    void headersRoundTripLittleEndian() {
        byte[] b = new byte[HandshakeInitiation.LENGTH];
        HandshakeInitiation.writeHeader(b, 0, 0x0a0b0c0d);
        assertEquals(0x0d, b[4]);
        assertEquals(0x0a, b[7]);
        assertEquals(0x0a0b0c0d, HandshakeInitiation.sender(b, 0));
        assertEquals(MessageType.HANDSHAKE_INITIATION, MessageType.of(b, 0, b.length));

        // Each header overwrites the type and the three reserved bytes, whatever the buffer held.
        for (int type = 1; type <= 4; type++) {
            byte[] dirty = new byte[HandshakeInitiation.LENGTH];
            java.util.Arrays.fill(dirty, (byte) 0x5a);
            switch (type) {
                case 1 -> HandshakeInitiation.writeHeader(dirty, 0, 1);
                case 2 -> HandshakeResponse.writeHeader(dirty, 0, 1, 2);
                case 3 -> CookieReply.writeHeader(dirty, 0, 1);
                default -> TransportData.writeHeader(dirty, 0, 1, 2);
            }
            assertEquals(java.util.List.of((byte) type, (byte) 0, (byte) 0, (byte) 0),
                    java.util.List.of(dirty[0], dirty[1], dirty[2], dirty[3]), "type " + type);
        }

        byte[] r = new byte[HandshakeResponse.LENGTH];
        HandshakeResponse.writeHeader(r, 0, 0x11223344, 0xcafebabe);
        assertEquals(0x44, r[4]);
        assertEquals(0x11, r[7]);
        assertEquals(0x11223344, HandshakeResponse.sender(r, 0));
        assertEquals(0xcafebabe, HandshakeResponse.receiver(r, 0));
        assertEquals(MessageType.HANDSHAKE_RESPONSE, MessageType.of(r, 0, r.length));

        byte[] c = new byte[CookieReply.LENGTH];
        CookieReply.writeHeader(c, 0, -1);
        assertEquals(-1, CookieReply.receiver(c, 0));
        assertEquals(MessageType.COOKIE_REPLY, MessageType.of(c, 0, c.length));

        byte[] t = new byte[TransportData.MIN_LENGTH];
        TransportData.writeHeader(t, 0, 7, 0x0102030405060708L);
        assertEquals(0x08, t[8]);
        assertEquals(0x01, t[15]);
        assertEquals(7, TransportData.receiver(t, 0));
        assertEquals(0x0102030405060708L, TransportData.counter(t, 0));
        assertEquals(MessageType.TRANSPORT_DATA, MessageType.of(t, 0, t.length));
    }

    // ------------------------------------------------------------------ TransportData.paddedLength

    /**
     * Payloads are zero-padded to a multiple of 16 (whitepaper section 5.4.6), never past the MTU
     * when the payload fits it. An MTU of 0 or less means no limit; a payload larger than the MTU
     * is left as it is.
     */
    @ParameterizedTest(name = "len {0}, mtu {1} -> {2}")
    @CsvSource({
        "0, 0, 0",
        "1, 0, 16",
        "15, 0, 16",
        "16, 0, 16",
        "17, 0, 32",
        "31, 0, 32",
        "32, 0, 32",
        "1419, 0, 1424",
        "1420, 0, 1424",
        "65535, 0, 65536",
        "17, -1, 32",
        "0, 1420, 0",
        "1, 1420, 16",
        "1408, 1420, 1408",
        "1409, 1420, 1420",
        "1419, 1420, 1420",
        "1420, 1420, 1420",
        "1421, 1420, 1421",
        "2000, 1420, 2000",
        "1, 1, 1",
        "0, 1, 0",
        "5, 8, 8",
        "9, 8, 9",
        "20, 24, 24",
        "17, 1280, 32",
    })
    void paddedLength(int len, int mtu, int expected) {
        assertEquals(expected, TransportData.paddedLength(len, mtu));
    }

    // ------------------------------------------------------------------ InnerPayload

    @ParameterizedTest(name = "first byte {0} -> kind {1}")
    @CsvSource({
        "0x45, 4", "0x40, 4", "0x4f, 4",
        "0x60, 6", "0x6f, 6",
        "0x00, 1", "0x01, 1", "0x0f, 1", "0x3f, 1", "0x50, 1", "0x5f, 1", "0x70, 1", "0xf0, 1", "0xff, 1",
    })
    void kindByFirstNibble(String first, int expected) {
        byte[] b = new byte[64];
        b[3] = (byte) Integer.parseInt(first.substring(2), 16);
        assertEquals(expected, InnerPayload.kind(b, 3, 1));
        assertEquals(expected, InnerPayload.kind(b, 3, 61));
    }

    @Test
    void emptyPayloadIsAKeepaliveWhateverTheByteThere() {
        byte[] b = {0x45, 0x60, 0x01};
        assertEquals(InnerPayload.KEEPALIVE, InnerPayload.kind(b, 0, 0));
        assertEquals(InnerPayload.KEEPALIVE, InnerPayload.kind(b, 1, 0));
        assertEquals(InnerPayload.KEEPALIVE, InnerPayload.kind(new byte[0], 0, 0));
        assertEquals(-1, InnerPayload.ipPacketLength(b, 0, 0));
    }

    @ParameterizedTest(name = "IPv4 total length {0} in {1} bytes -> {2}")
    @CsvSource({
        "20, 20, 20",
        "20, 32, 20",
        "21, 32, 21",
        "32, 32, 32",
        "33, 32, -1",
        "1500, 1504, 1500",
        "65535, 65535, 65535",
        // a total length below the 20-byte header: wireguard-go drops it
        "0, 32, -1",
        "19, 32, -1",
        "5, 20, -1",
    })
    void ipv4PacketLength(int totalLength, int len, int expected) {
        byte[] b = new byte[len + 2];
        b[2] = 0x45;
        Bytes.putShortBE(b, 2 + 2, totalLength);
        assertEquals(InnerPayload.IPV4, InnerPayload.kind(b, 2, len));
        assertEquals(expected, InnerPayload.ipPacketLength(b, 2, len));
    }

    @Test
    void truncatedIpv4HeaderHasNoLength() {
        byte[] b = new byte[19];
        b[0] = 0x45;
        Bytes.putShortBE(b, 2, 19);
        assertEquals(-1, InnerPayload.ipPacketLength(b, 0, 19));
        assertEquals(-1, InnerPayload.ipPacketLength(b, 0, 1));
    }

    @ParameterizedTest(name = "IPv6 payload length {0} in {1} bytes -> {2}")
    @CsvSource({
        "0, 40, 40",
        "0, 48, 40",
        "8, 48, 48",
        "9, 48, -1",
        "1460, 1504, 1500",
        "65535, 65575, 65575",
        "0, 39, -1",
        "1, 40, -1",
    })
    void ipv6PacketLength(int payloadLength, int len, int expected) {
        byte[] b = new byte[Math.max(len, 40)];
        b[0] = 0x60;
        Bytes.putShortBE(b, 4, payloadLength);
        assertEquals(expected, InnerPayload.ipPacketLength(b, 0, len));
    }

    @Test
    void meshFramesHaveNoIpLength() {
        byte[] b = new byte[64];
        b[0] = 0x01;
        assertEquals(InnerPayload.MESH_FRAMES, InnerPayload.kind(b, 0, 64));
        assertEquals(-1, InnerPayload.ipPacketLength(b, 0, 64));
    }
}
