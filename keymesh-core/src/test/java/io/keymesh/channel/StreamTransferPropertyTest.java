package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * A SendStream and a ReceiveStream over a link that loses, duplicates and reorders frames (and
 * their acknowledgements and window updates): every message arrives exactly once, in order,
 * byte-exact, and both sides finish.
 */
class StreamTransferPropertyTest {

    @Provide
    Arbitrary<Double> lossRates() {
        return Arbitraries.of(0.0, 0.01, 0.05, 0.10, 0.30);
    }

    @Provide
    Arbitrary<List<Integer>> mixedSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 100)),
                Tuple.of(3, Arbitraries.integers().between(100, 5_000)),
                Tuple.of(1, Arbitraries.integers().between(5_000, 300_000)))
                .list().ofMinSize(1).ofMaxSize(60);
    }

    /** Small frames, small buffers and windows: prefixes and messages split across many frames, constant back-pressure. */
    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void mixedSizesOverAHostileLink(@ForAll long seed,
                                    @ForAll("lossRates") double loss,
                                    @ForAll @IntRange(min = 0, max = 10) int duplicatePercent,
                                    @ForAll @IntRange(min = 1, max = 20) int maxDelay,
                                    @ForAll @IntRange(min = 12, max = 1400) int maxFrame,
                                    @ForAll @IntRange(min = 1, max = 200_000) int sendBuffer,
                                    @ForAll @IntRange(min = 4096, max = 300_000) int window,
                                    @ForAll @IntRange(min = 4096, max = 1_000_000) int connectionWindow,
                                    @ForAll("mixedSizes") List<Integer> sizes) {
        StreamLink.Config c = new StreamLink.Config(seed, loss, duplicatePercent / 100.0, loss / 2, 0.02,
                maxDelay, Math.max(10, maxFrame / 2), maxFrame, 16, sendBuffer, window, connectionWindow,
                300_000, 0.3);
        run(c, sizes, seed);
    }

    /** Messages of several MiB, larger than the send buffer and both windows, at each loss rate. */
    @Property(tries = 10, shrinking = ShrinkingMode.OFF)
    void severalMiBMessages(@ForAll long seed, @ForAll("lossRates") double loss) {
        List<Integer> sizes = List.of(3 << 20, 17, 0, 5 << 20, 1200, 64 << 10, (2 << 20) + 7);
        StreamLink.Config c = new StreamLink.Config(seed, loss, 0.02, loss / 2, 0.01, 8, 1100, 1400, 64,
                SendStream.DEFAULT_SEND_BUFFER, ReceiveStream.DEFAULT_WINDOW, 2L << 20, 8 << 20, 0.2);
        run(c, sizes, seed);
    }

    @Example
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
