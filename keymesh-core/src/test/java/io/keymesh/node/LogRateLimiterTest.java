package io.keymesh.node;

import static io.keymesh.node.LogRateLimiter.DENIED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link LogRateLimiter} on a virtual clock: one line per source per interval, saying how many
 * events went unlogged; a cap on lines per interval from all sources together, which holds however
 * many sources there are, also when they crowd each other out of the fixed table.
 */
class LogRateLimiterTest {
    private static final long INTERVAL = 60_000;
    private static final long T0 = 1_000_000;

    @Test
    void oneLinePerSourcePerIntervalThenTheCountOfWhatWasNotLogged() {
        LogRateLimiter limiter = new LogRateLimiter(INTERVAL, 10, 16);
        assertEquals(0, limiter.permit("a", T0));
        for (int i = 1; i <= 5; i++) {
            assertEquals(DENIED, limiter.permit("a", T0 + i * 1000));
        }
        assertEquals(0, limiter.permit("b", T0 + 10), "another source has its own interval");
        assertEquals(DENIED, limiter.permit("a", T0 + INTERVAL - 1));
        assertEquals(6, limiter.permit("a", T0 + INTERVAL));
        assertEquals(DENIED, limiter.permit("a", T0 + INTERVAL + 1));
        assertEquals(1, limiter.permit("a", T0 + 2 * INTERVAL));
    }

    @Test
    void theCapHoldsForAllSourcesTogetherAndWhatItHoldsBackIsCounted() {
        LogRateLimiter limiter = new LogRateLimiter(INTERVAL, 3, 64);
        assertEquals(0, limiter.permit("a", T0));
        assertEquals(0, limiter.permit("b", T0 + 1));
        assertEquals(0, limiter.permit("c", T0 + 2));
        assertEquals(DENIED, limiter.permit("d", T0 + 3));
        assertEquals(DENIED, limiter.permit("d", T0 + 4));
        assertEquals(2, limiter.permit("d", T0 + INTERVAL), "a new window; d's two refusals were counted");
    }

    /** A flood from 100,000 addresses (spoofed, say) over three intervals writes at most the cap per interval. */
    @Test
    void aFloodFromManySourcesIsBoundedByTheCap() {
        LogRateLimiter limiter = new LogRateLimiter(INTERVAL, 10, 256);
        int lines = 0;
        for (int i = 0; i < 100_000; i++) {
            long now = T0 + (long) i * 3 * INTERVAL / 100_000; // three intervals
            if (limiter.permit(Integer.valueOf(i * 7919), now) != DENIED) {
                lines++;
            }
        }
        assertEquals(30, lines);
    }

    /** A source that shares its slot is forgotten when another takes it: it may be logged again sooner. */
    @Test
    void aSourceCrowdedOutOfItsSlotIsNew() {
        LogRateLimiter limiter = new LogRateLimiter(INTERVAL, 10, 1);
        assertEquals(0, limiter.permit("a", T0));
        assertEquals(DENIED, limiter.permit("a", T0 + 1));
        assertEquals(0, limiter.permit("b", T0 + 2));
        assertEquals(0, limiter.permit("a", T0 + 3), "its count went with its slot");
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LogRateLimiter(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LogRateLimiter(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LogRateLimiter(1, 1, 3));
    }
}
