package io.keymesh.testing;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Property tests on seeded random inputs: {@link #forAll} checks a body once per seed, each time
 * with a fresh {@link SplittableRandom} made from that seed, so everything the body draws follows
 * from the seed alone.
 *
 * <ul>
 *   <li><b>Reproducible.</b> A property's seeds are fixed: they follow from {@link #BASE_SEED} and
 *       the property's name (the simple name of the calling class and method,
 *       {@code ReplayWindowPropertyTest#matchesIdealModel}), so every run checks the same inputs.
 *   <li><b>A failure names its seed.</b> The first seed whose body throws ends the check with an
 *       {@link AssertionError} naming the property, the seed and the options that run exactly that
 *       seed again; the body's exception is its cause.
 *   <li><b>Replay.</b> {@code -Dkeymesh.seed=S} checks every property of the run with seed S only
 *       (select the one test with {@code -Dtest='Class#method'}): the same inputs as when S failed.
 *   <li><b>More seeds.</b> {@code -Dkeymesh.seeds=N} checks N seeds instead of each property's own
 *       count. The first seeds are always the same, so a longer run adds inputs to the usual ones.
 * </ul>
 *
 * <p>The body must draw all its randomness from the generator it is given (no other random
 * source, no clock), and must generate only inputs it can check: there are no assumptions, anything
 * it throws fails the property. Call {@link #forAll} from the test method itself (not from a
 * lambda or a helper), as the property is named after its caller.
 */
public final class SeededProperty {
    /** Where every property's seeds start, unless {@value #SEED} names one seed. */
    public static final long BASE_SEED = 0x6b65_796d_6573_68L;
    /** The system property that replays one seed. */
    public static final String SEED = "keymesh.seed";
    /** The system property that overrides how many seeds each property checks. */
    public static final String SEEDS = "keymesh.seeds";

    /** A property's body: checks the property on the inputs it draws from {@code random}. */
    @FunctionalInterface
    public interface Body {
        void check(RandomGenerator random) throws Exception;
    }

    private SeededProperty() {}

    /**
     * Checks {@code body} with {@code seeds} seeds (or as the system properties {@value #SEED} and
     * {@value #SEEDS} say), the property named after the calling method.
     *
     * @throws AssertionError for the first seed whose body throws, naming that seed
     */
    public static void forAll(int seeds, Body body) {
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow();
        String className = caller.getClassName();
        String name = className.substring(className.lastIndexOf('.') + 1) + "#" + caller.getMethodName();
        forAll(name, seeds, System::getProperty, body);
    }

    /** {@link #forAll(int, Body)} with an explicit name, and {@code settings} in place of the system properties. */
    static void forAll(String name, int seeds, UnaryOperator<String> settings, Body body) {
        if (seeds < 1) {
            throw new IllegalArgumentException("a property needs at least one seed, not " + seeds);
        }
        String replay = settings.apply(SEED);
        if (replay != null) {
            check(name, parse(SEED, replay), 1, 1, true, body);
            return;
        }
        String override = settings.apply(SEEDS);
        long count = override == null ? seeds : parse(SEEDS, override);
        if (count < 1) {
            throw new IllegalArgumentException("-D" + SEEDS + " must be at least 1, not " + override);
        }
        SplittableRandom seedSource = new SplittableRandom(BASE_SEED ^ name.hashCode());
        for (long i = 1; i <= count; i++) {
            check(name, seedSource.nextLong(), i, count, false, body);
        }
    }

    private static void check(String name, long seed, long index, long count, boolean replayed, Body body) {
        try {
            body.check(new SplittableRandom(seed));
        } catch (Throwable e) {
            String which = replayed ? "replayed seed " + seed : "seed " + seed + " (" + index + " of " + count + ")";
            throw new AssertionError("property " + name + " failed for " + which
                    + "; run exactly this seed again with -Dtest='" + name + "' -D" + SEED + "=" + seed
                    + ": " + e, e);
        }
    }

    private static long parse(String key, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + key + " must be a whole number, not '" + value + "'", e);
        }
    }
}
