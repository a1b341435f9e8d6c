package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventQueuePropertyTest {
    private static final int MAX_TIME = 50;
    private static final int MAX_EVENTS = 300;
    private static final int MAX_CANCELS = 150;

    /** Whatever is scheduled and cancelled, the survivors run in (time, insertion) order. */
    private static void checkOrder(List<Integer> times, List<Integer> cancels) {
        Simulation sim = new Simulation(0);
        List<Integer> ran = new ArrayList<>();
        List<ScheduledEvent> events = new ArrayList<>();
        record Expected(int time, int id) {}
        List<Expected> expected = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            int id = i;
            events.add(sim.schedule(times.get(i), () -> ran.add(id)));
            expected.add(new Expected(times.get(i), id));
        }
        for (int c : cancels) {
            if (c < events.size()) {
                int id = c;
                if (events.get(c).cancel()) {
                    expected.removeIf(e -> e.id == id);
                }
            }
        }
        assertEquals(expected.size(), sim.pendingEvents());
        sim.runUntilIdle(Long.MAX_VALUE);
        expected.sort(Comparator.comparingInt(Expected::time).thenComparingInt(Expected::id));
        assertEquals(expected.stream().map(Expected::id).toList(), ran);
        assertEquals(expected.size(), sim.eventsProcessed());
    }

    /** Up to 300 events at times 0 to 50, and up to 150 cancellations of event numbers 0 to 299 (some never scheduled). */
    @Test
    void survivorsRunInTimeThenInsertionOrder() {
        SeededProperty.forAll(300, r -> {
            List<Integer> times = new ArrayList<>();
            for (int i = Gen.ints(r, 0, MAX_EVENTS); i > 0; i--) {
                times.add(Gen.ints(r, 0, MAX_TIME));
            }
            List<Integer> cancels = new ArrayList<>();
            for (int i = Gen.ints(r, 0, MAX_CANCELS); i > 0; i--) {
                cancels.add(Gen.ints(r, 0, MAX_EVENTS - 1));
            }
            checkOrder(times, cancels);
        });
    }

    /**
     * Nothing scheduled (with and without cancellations); the most events, all at the first or
     * the last time, or in reverse time order; the first, the last and every other event
     * cancelled, some twice, and cancellations of events never scheduled.
     */
    static List<Arguments> edgeCases() {
        List<Integer> none = List.of();
        List<Integer> allFirst = Collections.nCopies(MAX_EVENTS, 0);
        List<Integer> allLast = Collections.nCopies(MAX_EVENTS, MAX_TIME);
        List<Integer> reversed = IntStream.range(0, MAX_EVENTS).map(i -> MAX_TIME - i % (MAX_TIME + 1)).boxed().toList();
        List<Integer> everyOther = IntStream.range(0, MAX_CANCELS).map(i -> 2 * i).boxed().toList();
        List<Integer> endsTwice = List.of(0, MAX_EVENTS - 1, 0, MAX_EVENTS - 1);
        return List.of(
                Arguments.of(none, none),
                Arguments.of(none, endsTwice),
                Arguments.of(List.of(0), List.of(0, 0)),
                Arguments.of(List.of(MAX_TIME), none),
                Arguments.of(allFirst, none),
                Arguments.of(allFirst, endsTwice),
                Arguments.of(allLast, everyOther),
                Arguments.of(reversed, everyOther),
                Arguments.of(reversed, Collections.nCopies(MAX_CANCELS, MAX_EVENTS - 1)),
                Arguments.of(List.of(MAX_TIME, 0, MAX_TIME, 0), List.of(1, MAX_EVENTS - 1)));
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void survivorsRunInTimeThenInsertionOrderAtTheEdges(List<Integer> times, List<Integer> cancels) {
        checkOrder(times, cancels);
    }
}
