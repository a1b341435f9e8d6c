package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The association control messages' exact bytes, and what decoding refuses. */
class AssociationControlTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void eachMessageHasItsExactBytesAndDecodesBack() {
        var open = new AssociationControl.Open(10, 2552, "orders");
        byte[] openBytes = hex("4b4d504b 01 01 000a 09f8 06 6f7264657273");
        assertArrayEquals(openBytes, open.encode());
        assertEquals(open, AssociationControl.decode(openBytes));

        assertArrayEquals(hex("4b4d504b 01 02"), new AssociationControl.Accept().encode());
        assertEquals(new AssociationControl.Accept(), AssociationControl.decode(hex("4b4d504b 01 02")));

        var refuse = new AssociationControl.Refuse("no");
        assertArrayEquals(hex("4b4d504b 01 03 0002 6e6f"), refuse.encode());
        assertEquals(refuse, AssociationControl.decode(refuse.encode()));
    }

    @Test
    void aLongReasonIsCutAtTheLastCharacterBoundaryWithinTheLimit() {
        // 1,023 ASCII bytes, then a three-byte character across the 1,024-byte limit: it goes whole.
        String reason = "r".repeat(AssociationControl.MAX_REASON - 1) + "\u20ac" + "tail";
        var decoded = (AssociationControl.Refuse) AssociationControl.decode(new AssociationControl.Refuse(reason).encode());
        assertEquals("r".repeat(AssociationControl.MAX_REASON - 1), decoded.reason());

        String fits = "r".repeat(AssociationControl.MAX_REASON - 3) + "\u20ac" + "tail";
        var kept = (AssociationControl.Refuse) AssociationControl.decode(new AssociationControl.Refuse(fits).encode());
        assertEquals(AssociationControl.MAX_REASON, kept.reason().getBytes(StandardCharsets.UTF_8).length);
        assertEquals(fits.substring(0, AssociationControl.MAX_REASON - 2), kept.reason());
    }

    @Test
    void whatIsNotAControlMessageIsRefusedWithWhy() {
        assertEquals("not an association control message",
                assertThrows(IllegalArgumentException.class, () -> AssociationControl.decode(hex("4b4d504c 01 02"))).getMessage());
        assertEquals("association protocol version 2, this node speaks 1",
                assertThrows(IllegalArgumentException.class, () -> AssociationControl.decode(hex("4b4d504b 02 02"))).getMessage());
        assertEquals("unknown association control type 4",
                assertThrows(IllegalArgumentException.class, () -> AssociationControl.decode(hex("4b4d504b 01 04"))).getMessage());
        assertEquals("truncated association control message",
                assertThrows(IllegalArgumentException.class, () -> AssociationControl.decode(hex("4b4d504b 01 01 000a"))).getMessage());
        assertEquals("trailing bytes after association control message",
                assertThrows(IllegalArgumentException.class, () -> AssociationControl.decode(hex("4b4d504b 01 02 00"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> AssociationControl.decode(hex("4b4d504b 01 01 0000 09f8 00")),
                "port 0 is no virtual port");
    }
}
