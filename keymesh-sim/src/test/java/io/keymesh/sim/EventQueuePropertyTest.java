package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EventQueuePropertyTest {
    /** Whatever is scheduled and cancelled, the survivors run in (time, insertion) order. */
    @Property(tries = 300)
    void survivorsRunInTimeThenInsertionOrder(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 50) Integer> times,
            @ForAll @Size(max = 150) List<@IntRange(min = 0, max = 299) Integer> cancels) {
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
}
