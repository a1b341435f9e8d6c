package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    /** REJECT_AFTER_MESSAGES = 2^64 − 2^13 − 1, as an unsigned long. */
    private static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);
    private static final long T_LIM = ReplayWindow.WINDOW_SIZE + 1;
    private static final long W = ReplayWindow.WINDOW_SIZE;

    /**
     * The table of wireguard-go's replay/replay_test.go (TestReplay), reproduced as data:
     * https://git.zx2c4.com/wireguard-go/tree/replay/replay_test.go (MIT), itself ported from the
     * Linux kernel's WireGuard self-test. Each row is {counter, expected (1 = accepted)}, applied in
     * order to one window with limit REJECT_AFTER_MESSAGES.
     */
    private static final long[][] WIREGUARD_GO_TABLE = {
        {0, 1}, /*  1 */
        {1, 1}, /*  2 */
        {1, 0}, /*  3 */
        {9, 1}, /*  4 */
        {8, 1}, /*  5 */
        {7, 1}, /*  6 */
        {7, 0}, /*  7 */
        {T_LIM, 1}, /*  8 */
        {T_LIM - 1, 1}, /*  9 */
        {T_LIM - 1, 0}, /* 10 */
        {T_LIM - 2, 1}, /* 11 */
        {2, 1}, /* 12 */
        {2, 0}, /* 13 */
        {T_LIM + 16, 1}, /* 14 */
        {3, 0}, /* 15 */
        {T_LIM + 16, 0}, /* 16 */
        {T_LIM * 4, 1}, /* 17 */
        {T_LIM * 4 - (T_LIM - 1), 1}, /* 18 */
        {10, 0}, /* 19 */
        {T_LIM * 4 - T_LIM, 0}, /* 20 */
        {T_LIM * 4 - (T_LIM + 1), 0}, /* 21 */
        {T_LIM * 4 - (T_LIM - 2), 1}, /* 22 */
        {T_LIM * 4 + 1 - T_LIM, 0}, /* 23 */
        {0, 0}, /* 24 */
        {REJECT_AFTER_MESSAGES, 0}, /* 25 */
        {REJECT_AFTER_MESSAGES - 1, 1}, /* 26 */
        {REJECT_AFTER_MESSAGES, 0}, /* 27 */
        {REJECT_AFTER_MESSAGES - 1, 0}, /* 28 */
        {REJECT_AFTER_MESSAGES - 2, 1}, /* 29 */
        {REJECT_AFTER_MESSAGES + 1, 0}, /* 30 */
        {REJECT_AFTER_MESSAGES + 2, 0}, /* 31 */
        {REJECT_AFTER_MESSAGES - 2, 0}, /* 32 */
        {REJECT_AFTER_MESSAGES - 3, 1}, /* 33 */
        {0, 0}, /* 34 */
    };

    private ReplayWindow window;

    @BeforeEach
    void setUp() {
        window = new ReplayWindow();
        // Dirty the window first so every case also checks that reset() empties it.
        for (long c = 0; c < 3 * W; c += 7) {
            window.accept(c, REJECT_AFTER_MESSAGES);
        }
        window.reset();
    }

    private void t(int row, long counter, boolean expected) {
        assertEquals(expected, window.accept(counter, REJECT_AFTER_MESSAGES),
                "row " + row + ": counter " + Long.toUnsignedString(counter));
    }

    @Test
    void windowSizeIs127BlocksOf64() {
        assertEquals(8128, ReplayWindow.WINDOW_SIZE);
    }

    @Test
    void wireguardGoTable() {
        for (int i = 0; i < WIREGUARD_GO_TABLE.length; i++) {
            t(i + 1, WIREGUARD_GO_TABLE[i][0], WIREGUARD_GO_TABLE[i][1] == 1);
        }
    }

    @Test
    void bulk1AscendingThenZero() {
        for (long i = 1; i <= W; i++) {
            t((int) i, i, true);
        }
        t(-1, 0, true);
        t(-2, 0, false);
    }

    @Test
    void bulk2AscendingFromTwoThenOneAndZero() {
        for (long i = 2; i <= W + 1; i++) {
            t((int) i, i, true);
        }
        t(-1, 1, true);
        t(-2, 0, false);
    }

    @Test
    void bulk3Descending() {
        for (long i = W + 1; i > 0; i--) {
            t((int) i, i, true);
        }
    }

    @Test
    void bulk4DescendingThenZero() {
        for (long i = W + 2; i > 1; i--) {
            t((int) i, i, true);
        }
        t(-1, 0, false);
    }

    @Test
    void bulk5DescendingThenAdvance() {
        for (long i = W; i > 0; i--) {
            t((int) i, i, true);
        }
        t(-1, W + 1, true);
        t(-2, 0, false);
    }

    @Test
    void bulk6DescendingThenZeroThenAdvance() {
        for (long i = W; i > 0; i--) {
            t((int) i, i, true);
        }
        t(-1, 0, true);
        t(-2, W + 1, true);
    }

    @Test
    void limitIsExclusiveAndUnsigned() {
        assertFalse(window.accept(-1L, REJECT_AFTER_MESSAGES), "2^64 - 1 is above the limit");
        assertFalse(window.accept(100, 100));
        assertTrue(window.accept(99, 100));
        assertTrue(window.accept(Long.MIN_VALUE, -1L), "2^63 is below 2^64 - 1");
        assertFalse(window.accept(5, 0));
    }

    @Test
    void rejectionOverLimitLeavesStateUnchanged() {
        assertTrue(window.accept(10, 1_000));
        assertFalse(window.accept(1_000_000, 1_000), "over the limit");
        // Had 1,000,000 advanced the window, 11 would now be far behind it.
        assertTrue(window.accept(11, 1_000));
    }

    @Test
    void jumpFarAheadForgetsTheOldWindow() {
        assertTrue(window.accept(5, REJECT_AFTER_MESSAGES));
        long far = 1L << 40;
        assertTrue(window.accept(far, REJECT_AFTER_MESSAGES));
        assertFalse(window.accept(5, REJECT_AFTER_MESSAGES));
        assertTrue(window.accept(far - W, REJECT_AFTER_MESSAGES), "oldest counter in the window");
        assertFalse(window.accept(far - W - 1, REJECT_AFTER_MESSAGES), "just behind the window");
    }

    @Test
    void advancingAWholeRingClearsTheReusedBlock() {
        // 100 and 100 + 8192 share a ring block (index 1) and bit (36).
        assertTrue(window.accept(100, REJECT_AFTER_MESSAGES));
        assertTrue(window.accept(100 + 8192 + 1, REJECT_AFTER_MESSAGES));
        assertTrue(window.accept(100 + 8192, REJECT_AFTER_MESSAGES), "stale bit of 100 must be gone");
        assertFalse(window.accept(100 + 8192, REJECT_AFTER_MESSAGES));
    }
}
