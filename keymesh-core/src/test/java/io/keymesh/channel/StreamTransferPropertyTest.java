package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A SendStream and a ReceiveStream over a link that loses, duplicates and reorders frames (and
 * their acknowledgements and window updates): every message arrives exactly once, in order,
 * byte-exact, and both sides finish.
 */
class StreamTransferPropertyTest {
    static final List<Double> LOSS_RATES = List.of(0.0, 0.01, 0.05, 0.10, 0.30);
    private static final int MAX_MESSAGE = 300_000;

    /** Small frames, small buffers and windows: prefixes and messages split across many frames, constant back-pressure. */
    private static void runHostile(long seed, double loss, int duplicatePercent, int maxDelay, int maxFrame,
            int sendBuffer, int window, int connectionWindow, List<Integer> sizes) {
        StreamLink.Config c = new StreamLink.Config(seed, loss, duplicatePercent / 100.0, loss / 2, 0.02,
                maxDelay, Math.max(10, maxFrame / 2), maxFrame, 16, sendBuffer, window, connectionWindow,
                MAX_MESSAGE, 0.3);
        run(c, sizes, seed);
    }

    /** 1 to 60 sizes: up to 100 bytes (6 in 10), up to 5000 (3 in 10) or up to 300 000 (1 in 10). */
    private static List<Integer> mixedSizes(RandomGenerator r) {
        int n = Gen.ints(r, 1, 60);
        List<Integer> sizes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            sizes.add(kind < 6 ? Gen.ints(r, 0, 100) : kind < 9 ? Gen.ints(r, 100, 5_000) : Gen.ints(r, 5_000, MAX_MESSAGE));
        }
        return sizes;
    }

    @Test
    void mixedSizesOverAHostileLink() {
        SeededProperty.forAll(150, r -> runHostile(r.nextLong(), LOSS_RATES.get(r.nextInt(LOSS_RATES.size())),
                Gen.ints(r, 0, 10), Gen.ints(r, 1, 20), Gen.ints(r, 12, 1400), Gen.ints(r, 1, 200_000),
                Gen.ints(r, 4096, 300_000), Gen.ints(r, 4096, 1_000_000), mixedSizes(r)));
    }

    /**
     * The smallest frames, send buffer and windows, and the largest, each without loss, duplicates
     * or delay and at the worst of them, with one empty message or one at each end of each size
     * class; the largest messages (split into 3-byte pieces at the smallest frames) only with the
     * largest frames, and once with the smallest frames on a clean link.
     */
    static List<Arguments> hostileEdges() {
        List<Integer> empty = List.of(0);
        List<Integer> eachEnd = List.of(0, 100, 100, 5_000, 5_000, MAX_MESSAGE, 0);
        List<Integer> eachEndButLargest = List.of(0, 100, 100, 5_000, 5_000, 0);
        List<Arguments> cases = new ArrayList<>();
        for (boolean worst : new boolean[] {false, true}) {
            double loss = worst ? 0.30 : 0.0;
            int duplicatePercent = worst ? 10 : 0;
            int maxDelay = worst ? 20 : 1;
            for (List<Integer> sizes : List.of(empty, eachEndButLargest)) {
                cases.add(Arguments.of(loss, duplicatePercent, maxDelay, 12, 1, 4096, 4096, sizes));
            }
            for (List<Integer> sizes : List.of(empty, List.of(MAX_MESSAGE), eachEnd, Collections.nCopies(20, MAX_MESSAGE))) {
                cases.add(Arguments.of(loss, duplicatePercent, maxDelay, 1400, 200_000, 300_000, 1_000_000, sizes));
            }
        }
        cases.add(Arguments.of(0.0, 0, 1, 12, 1, 4096, 4096, List.of(MAX_MESSAGE)));
        return cases;
    }

    @ParameterizedTest
    @MethodSource("hostileEdges")
    void edgeConfigurationsOverAHostileLink(double loss, int duplicatePercent, int maxDelay, int maxFrame,
            int sendBuffer, int window, int connectionWindow, List<Integer> sizes) {
        runHostile(sizes.hashCode(), loss, duplicatePercent, maxDelay, maxFrame, sendBuffer, window, connectionWindow,
                sizes);
    }

    /** Messages of several MiB, larger than the send buffer and both windows, at each loss rate. */
    @ParameterizedTest
    @FieldSource("LOSS_RATES")
    void severalMiBMessages(double loss) {
        SeededProperty.forAll(2, r -> {
            long seed = r.nextLong();
            List<Integer> sizes = List.of(3 << 20, 17, 0, 5 << 20, 1200, 64 << 10, (2 << 20) + 7);
            StreamLink.Config c = new StreamLink.Config(seed, loss, 0.02, loss / 2, 0.01, 8, 1100, 1400, 64,
                    SendStream.DEFAULT_SEND_BUFFER, ReceiveStream.DEFAULT_WINDOW, 2L << 20, 8 << 20, 0.2);
            run(c, sizes, seed);
        });
    }

    @Test
    void thousandsOfMixedMessagesAtThirtyPercentLoss() {
        List<Integer> sizes = new ArrayList<>();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 3000; i++) {
            sizes.add(r.nextInt(10) == 0 ? r.nextInt(200_000) : r.nextInt(300));
        }
        sizes.add(6 << 20);
        StreamLink.Config c = new StreamLink.Config(42, 0.30, 0.05, 0.15, 0.02, 12, 200, 1400, 48,
                SendStream.DEFAULT_SEND_BUFFER, ReceiveStream.DEFAULT_WINDOW, FlowControl.DEFAULT_CONNECTION_WINDOW,
                8 << 20, 0.3);
        StreamLink link = run(c, sizes, 42);
        assertTrue(link.refusals > 0, "the send buffer pushed back");
        assertTrue(link.framesLost > 1000, "frames were lost: " + link.framesLost);
    }

    private static StreamLink run(StreamLink.Config c, List<Integer> sizes, long seed) {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            messages.add(StreamLink.message(seed, i, sizes.get(i)));
        }
        StreamLink link = new StreamLink(c);
        link.transfer(messages, 5_000_000);
        return link;
    }
}
