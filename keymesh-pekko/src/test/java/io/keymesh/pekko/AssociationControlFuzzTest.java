package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the association control messages (OPEN, ACCEPT, REFUSE) that begin each direction of a
 * Pekko association's channel, as a peer may send them: the input is one message.
 *
 * <p>Invariant: {@link AssociationControl#decode} gives a message or throws {@code
 * IllegalArgumentException}, nothing else; a decoded message encodes to bytes that decode to the same
 * message (a REFUSE whose reason is longer than {@link AssociationControl#MAX_REASON} bytes gets its
 * reason cut at the last character boundary before the limit: a prefix of it), and the input itself comes back byte for byte when its text was valid
 * UTF-8 of a length the encoder writes whole. Regression inputs are in {@code
 * AssociationControlFuzzTestInputs/message/}.
 */
class AssociationControlFuzzTest {
    @FuzzTest
    void message(byte[] input) {
        AssociationControl m;
        try {
            m = AssociationControl.decode(input);
        } catch (IllegalArgumentException refused) {
            return;
        }
        byte[] encoded = m.encode();
        AssociationControl again = AssociationControl.decode(encoded);
        boolean whole = !(m instanceof AssociationControl.Refuse r)
                || r.reason().getBytes(StandardCharsets.UTF_8).length <= AssociationControl.MAX_REASON;
        if (whole) {
            assertEquals(m, again);
            if (!text(m).contains("\uFFFD")) {
                assertArrayEquals(input, encoded, "the message written again");
            }
        } else {
            String full = ((AssociationControl.Refuse) m).reason();
            String cut = ((AssociationControl.Refuse) again).reason();
            int cutBytes = cut.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(full.startsWith(cut), "a cut reason is a prefix of the reason");
            assertTrue(cutBytes <= AssociationControl.MAX_REASON && cutBytes > AssociationControl.MAX_REASON - 4,
                    "cut to " + cutBytes + " bytes, at the last character boundary");
        }
    }

    private static String text(AssociationControl m) {
        return switch (m) {
            case AssociationControl.Open o -> o.systemName();
            case AssociationControl.Refuse r -> r.reason();
            case AssociationControl.Accept a -> "";
        };
    }
}
