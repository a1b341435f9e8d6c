package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Connection-level credit (MAX_DATA, DATA_BLOCKED) on both sides. */
class FlowControlTest {
    private final byte[] buf = new byte[32];

    @Test
    void sendCreditGrowsOnlyWithLargerLimits() {
        FlowControl.Send s = new FlowControl.Send(100);
        assertEquals(100, s.credit());
        s.consume(60);
        assertEquals(40, s.credit());
        assertFalse(s.onMaxData(90), "MAX_DATA never shrinks credit");
        assertEquals(100, s.limit());
        assertTrue(s.onMaxData(150));
        assertEquals(90, s.credit());
        assertThrows(IllegalStateException.class, () -> s.consume(91));
    }

    @Test
    void dataBlockedOncePerLimitAndAgainIfLost() {
        FlowControl.Send s = new FlowControl.Send(10);
        s.markBlocked();
        assertFalse(s.wantsBlockedFrame(), "credit left: not blocked");
        s.consume(10);
        s.markBlocked();
        assertTrue(s.wantsBlockedFrame());
        int n = s.writeBlockedFrame(buf, 0, 32);
        assertArrayEquals(HexFormat.of().parseHex("14010a"), Arrays.copyOf(buf, n));
        assertFalse(s.wantsBlockedFrame());
        s.onBlockedLost(10);
        assertTrue(s.wantsBlockedFrame());
        s.onMaxData(20);
        assertFalse(s.wantsBlockedFrame(), "unblocked");
    }

    @Test
    void receiveLimitIsEnforcedAndAdvancedAtHalfTheWindow() {
        FlowControl.Receive r = new FlowControl.Receive(100);
        assertEquals(100, r.limit());
        assertTrue(r.onReceived(100));
        assertFalse(r.onReceived(1), "beyond the limit");
        assertEquals(100, r.received());
        r.onConsumed(49);
        assertFalse(r.wantsMaxDataFrame());
        assertEquals(0, r.writeMaxDataFrame(buf, 0, 32));
        r.onConsumed(1);
        assertTrue(r.wantsMaxDataFrame());
        int n = r.writeMaxDataFrame(buf, 0, 32);
        assertArrayEquals(HexFormat.of().parseHex("10024096"), Arrays.copyOf(buf, n), "MAX_DATA 150");
        assertEquals(150, r.limit());
        assertTrue(r.onReceived(50));
        r.onMaxDataLost(150);
        assertTrue(r.wantsMaxDataFrame());
        assertEquals(0, r.writeMaxDataFrame(buf, 0, 3), "does not fit");
        assertEquals(4, r.writeMaxDataFrame(buf, 0, 4));
        assertFalse(r.wantsMaxDataFrame());
        r.onMaxDataLost(120);
        assertFalse(r.wantsMaxDataFrame(), "an older value lost");
    }
}
