package io.keymesh.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link SeededProperty}: fixed seeds, failures that name their seed, and replay of exactly that seed. */
class SeededPropertyTest {
    private static final UnaryOperator<String> DEFAULTS = key -> null;

    /** The first value each seed's generator gives, for the named property under {@code settings}. */
    private static List<Long> firstDraws(String name, int seeds, UnaryOperator<String> settings) {
        List<Long> draws = new ArrayList<>();
        SeededProperty.forAll(name, seeds, settings, r -> draws.add(r.nextLong()));
        return draws;
    }

    @Test
    void checksTheGivenNumberOfDistinctSeedsTheSameEveryRun() {
        List<Long> first = firstDraws("P#q", 50, DEFAULTS);
        assertEquals(50, first.size());
        assertEquals(50, new HashSet<>(first).size());
        assertEquals(first, firstDraws("P#q", 50, DEFAULTS));
        assertNotEquals(first, firstDraws("P#other", 50, DEFAULTS), "each property has its own seeds");
    }

    @Test
    void moreSeedsKeepTheUsualOnesFirst() {
        List<Long> usual = firstDraws("P#q", 10, DEFAULTS);
        List<Long> more = firstDraws("P#q", 10, Map.of(SeededProperty.SEEDS, "30")::get);
        assertEquals(30, more.size());
        assertEquals(usual, more.subList(0, 10));
    }

    @Test
    void aFailureNamesThePropertyTheSeedAndHowToReplayIt() {
        List<Long> draws = new ArrayList<>();
        AssertionError bug = new AssertionError("the bug");
        AssertionError e = assertThrows(AssertionError.class, () -> SeededProperty.forAll("P#q", 20, DEFAULTS, r -> {
            draws.add(r.nextLong());
            if (draws.size() == 7) {
                throw bug;
            }
        }));
        assertEquals(7, draws.size(), "the check stops at the failing seed");
        assertSame(bug, e.getCause());
        String message = e.getMessage();
        Matcher seed = Pattern.compile("-Dkeymesh\\.seed=(-?\\d+)").matcher(message);
        assertTrue(seed.find(), message);
        long failing = Long.parseLong(seed.group(1));
        assertTrue(message.startsWith("property P#q failed for seed " + failing + " (7 of 20)"), message);
        assertTrue(message.contains("-Dtest='P#q'"), message);
        assertTrue(message.contains("the bug"), message);

        // The seed named is the one the failing body ran with: replaying it draws the same value, once.
        List<Long> replayed = firstDraws("P#q", 20, Map.of(SeededProperty.SEED, seed.group(1))::get);
        assertEquals(List.of(draws.get(6)), replayed);
        assertEquals(new SplittableRandom(failing).nextLong(), draws.get(6));
    }

    @Test
    void replayRunsOnlyThatSeedEvenWhenMoreSeedsAreAskedFor() {
        Map<String, String> settings = Map.of(SeededProperty.SEED, " -12345 ", SeededProperty.SEEDS, "100");
        assertEquals(List.of(new SplittableRandom(-12345).nextLong()), firstDraws("P#q", 20, settings::get));
        AssertionError e = assertThrows(AssertionError.class,
                () -> SeededProperty.forAll("P#q", 20, settings::get, r -> { throw new IllegalStateException("boom"); }));
        assertTrue(e.getMessage().startsWith("property P#q failed for replayed seed -12345;"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void isNamedAfterTheCallingTestMethod() {
        AssertionError e = assertThrows(AssertionError.class, () -> failingProperty());
        assertTrue(e.getMessage().startsWith("property SeededPropertyTest#failingProperty failed for "), e.getMessage());
        assertTrue(e.getMessage().contains("-Dtest='SeededPropertyTest#failingProperty'"), e.getMessage());
    }

    private static void failingProperty() {
        SeededProperty.forAll(3, r -> { throw new AssertionError("always"); });
    }

    @Test
    void rejectsMeaninglessCounts() {
        assertThrows(IllegalArgumentException.class, () -> SeededProperty.forAll("P#q", 0, DEFAULTS, r -> {}));
        assertThrows(IllegalArgumentException.class,
                () -> SeededProperty.forAll("P#q", 5, Map.of(SeededProperty.SEEDS, "0")::get, r -> {}));
        assertThrows(IllegalArgumentException.class,
                () -> SeededProperty.forAll("P#q", 5, Map.of(SeededProperty.SEEDS, "lots")::get, r -> {}));
        assertThrows(IllegalArgumentException.class,
                () -> SeededProperty.forAll("P#q", 5, Map.of(SeededProperty.SEED, "0x12")::get, r -> {}));
    }
}
