package io.keymesh.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The forwarding protocol's messages, byte for byte, and what it refuses to decode. */
class ForwardMessageTest {
    private static final HexFormat HEX = HexFormat.of();

    private static void assertBytes(String hex, ForwardMessage m) {
        byte[] expected = HEX.parseHex(hex.replace(" ", ""));
        assertArrayEquals(expected, m.encode(), () -> "encoding of " + m + ": " + HEX.formatHex(m.encode()));
        assertEquals(m, ForwardMessage.decode(expected));
    }

    @Test
    void open() {
        assertBytes("4b4d4657 01 01 00100000 00 02 6462", new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_SERVICE, "db"));
        assertBytes("4b4d4657 01 01 ffffffff 01 0c 302e302e302e303a38303830",
                new ForwardMessage.Open(0xffff_ffffL, ForwardMessage.KIND_REMOTE, "0.0.0.0:8080"));
    }

    @Test
    void accept() {
        assertBytes("4b4d4657 01 02 00040000", new ForwardMessage.Accept(256 << 10));
    }

    @Test
    void refuse() {
        assertBytes("4b4d4657 01 03 03 0012 636f6e6e656374696f6e2072656675736564",
                new ForwardMessage.Refuse(RefuseReason.CONNECTION_REFUSED, "connection refused"));
        assertBytes("4b4d4657 01 03 01 0000", new ForwardMessage.Refuse(RefuseReason.UNKNOWN_SERVICE, ""));
    }

    @Test
    void listenAndListening() {
        assertBytes("4b4d4657 01 04 0e 3132372e302e302e313a39303030", new ForwardMessage.Listen("127.0.0.1:9000"));
        assertBytes("4b4d4657 01 05 2328", new ForwardMessage.Listening(9000));
    }

    @Test
    void streamMessages() {
        assertBytes("11 00008000", new ForwardMessage.Window(32 << 10));
        assertBytes("12", new ForwardMessage.Eof());
        byte[] data = ForwardMessage.data(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        assertArrayEquals(HEX.parseHex("10010203"), data);
        ForwardMessage.Data d = assertInstanceOf(ForwardMessage.Data.class, ForwardMessage.decode(data));
        assertEquals(3, d.length());
        assertArrayEquals(data, d.message());
    }

    @Test
    void aRefuseTextIsCutAtACharacterBoundary() {
        String text = "é".repeat(600); // 1200 bytes
        byte[] m = new ForwardMessage.Refuse(RefuseReason.OTHER, text).encode();
        ForwardMessage.Refuse r = (ForwardMessage.Refuse) ForwardMessage.decode(m);
        assertEquals("é".repeat(512), r.text());
    }

    @Test
    void anUnknownReasonCodeReadsAsOther() {
        ForwardMessage.Refuse r = (ForwardMessage.Refuse) ForwardMessage.decode(HEX.parseHex("4b4d46570103630000"));
        assertEquals(RefuseReason.OTHER, r.reason());
    }

    @Test
    void anotherVersionIsReportedNotRefused() {
        assertEquals(new ForwardMessage.UnknownVersion(2), ForwardMessage.decode(HEX.parseHex("4b4d4657020100")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                   // empty
        "10",                                 // DATA without bytes
        "11000000",                           // WINDOW too short
        "1100000000",                         // WINDOW of 0
        "110000000100",                       // WINDOW too long
        "1200",                               // EOF with a body
        "13",                                 // unknown stream type
        "4b4d46",                             // magic cut short
        "4b4d4657",                           // no version
        "4b4d465701",                         // no type
        "4b4d46570109",                       // unknown type
        "4b4d4657010100100000",               // OPEN cut short
        "4b4d465701010010000002016462",       // OPEN of an unknown kind
        "4b4d465701010010000000006462",       // OPEN with an empty name and bytes after it
        "4b4d46570101001000000004646262",     // OPEN whose name is cut short
        "4b4d465701010000000000026462",       // OPEN granting a window of 0
        "4b4d465701010010000000 02 c328",     // OPEN whose name is not UTF-8
        "4b4d465701020004000000",             // ACCEPT with a byte after it
        "4b4d4657010200000000",               // ACCEPT granting 0
        "4b4d4657010301ffff",                 // REFUSE text longer than allowed
        "4b4d46570104 00",                    // LISTEN of an empty address
        "4b4d4657010523",                     // LISTENING cut short
        "4b4d4658010200040000",               // wrong magic
    })
    void malformedMessagesAreRefused(String hex) {
        byte[] m = HEX.parseHex(hex.replace(" ", ""));
        assertThrows(IllegalArgumentException.class, () -> ForwardMessage.decode(m), hex);
    }

    /** Random bytes decode to a message or an IllegalArgumentException, never anything else. */
    @Test
    void randomBytesNeverThrowAnythingElse() {
        SplittableRandom r = new SplittableRandom(11);
        byte[] magic = HEX.parseHex("4b4d465701");
        for (int i = 0; i < 100_000; i++) {
            byte[] m = new byte[r.nextInt(24)];
            r.nextBytes(m);
            if (r.nextBoolean() && m.length >= 6) {
                System.arraycopy(magic, 0, m, 0, 5);
                m[5] = (byte) (1 + r.nextInt(5));
            }
            try {
                ForwardMessage decoded = ForwardMessage.decode(m);
                if (!(decoded instanceof ForwardMessage.Data) && !(decoded instanceof ForwardMessage.UnknownVersion)) {
                    assertArrayEquals(m, decoded.encode(), () -> "re-encoding " + Arrays.toString(m));
                }
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }
}
