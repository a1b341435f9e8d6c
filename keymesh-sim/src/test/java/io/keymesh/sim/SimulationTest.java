package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {
    @Test
    void runsEventsInTimeOrderAndTiesInInsertionOrder() {
        Simulation sim = new Simulation(1);
        List<String> log = new ArrayList<>();
        sim.schedule(30, () -> log.add("c@" + sim.now()));
        sim.schedule(10, () -> log.add("a@" + sim.now()));
        sim.schedule(20, () -> log.add("b1@" + sim.now()));
        sim.schedule(20, () -> log.add("b2@" + sim.now()));
        sim.schedule(20, () -> log.add("b3@" + sim.now()));
        assertTrue(sim.runUntilIdle(100));
        assertEquals(List.of("a@10", "b1@20", "b2@20", "b3@20", "c@30"), log);
        assertEquals(5, sim.eventsProcessed());
        assertEquals(30, sim.now());
    }

    @Test
    void eventsScheduledByEventsAtTheSameTimeRunAfterThoseAlreadyQueued() {
        Simulation sim = new Simulation(1);
        List<String> log = new ArrayList<>();
        sim.schedule(5, () -> {
            log.add("first");
            sim.scheduleAfter(0, () -> log.add("nested"));
        });
        sim.schedule(5, () -> log.add("second"));
        sim.runUntil(5);
        assertEquals(List.of("first", "second", "nested"), log);
    }

    @Test
    void cancelledEventsDoNotRunAndAreNotCounted() {
        Simulation sim = new Simulation(1);
        List<Integer> log = new ArrayList<>();
        ScheduledEvent a = sim.schedule(10, () -> log.add(1));
        sim.schedule(20, () -> log.add(2));
        assertTrue(a.isPending());
        assertEquals(2, sim.pendingEvents());
        assertTrue(a.cancel());
        assertFalse(a.cancel());
        assertFalse(a.isPending());
        assertEquals(1, sim.pendingEvents());
        sim.runUntilIdle(10);
        assertEquals(List.of(2), log);
        assertEquals(1, sim.eventsProcessed());
    }

    @Test
    void runUntilStopsAtTheGivenTimeAndAdvancesTheClock() {
        Simulation sim = new Simulation(1);
        List<Long> log = new ArrayList<>();
        for (long t = 0; t <= 100; t += 10) {
            long at = t;
            sim.schedule(at, () -> log.add(at));
        }
        sim.runUntil(45);
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L), log);
        assertEquals(45, sim.now());
        assertEquals(50, sim.nextEventNanos());
        sim.runFor(Duration.ofNanos(5)); // events exactly at the end time run
        assertEquals(50L, log.getLast());
        assertEquals(50, sim.now());
        sim.runFor(1000);
        assertEquals(11, log.size());
        assertEquals(1050, sim.now());
        assertEquals(Long.MAX_VALUE, sim.nextEventNanos());
    }

    @Test
    void runUntilIdleHonoursItsLimit() {
        Simulation sim = new Simulation(1);
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> sim.scheduleAfter(1_000, tick[0]); // never goes idle
        sim.schedule(0, tick[0]);
        assertFalse(sim.runUntilIdle(500));
        assertEquals(500, sim.eventsProcessed());
        assertEquals(499_000, sim.now());
    }

    @Test
    void rejectsThePastAndReentrantRuns() {
        Simulation sim = new Simulation(1);
        sim.runUntil(100);
        assertThrows(IllegalArgumentException.class, () -> sim.schedule(99, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> sim.runUntil(50));
        assertThrows(IllegalArgumentException.class, () -> sim.scheduleAfter(-1, () -> {}));
        sim.schedule(200, () -> sim.runFor(10));
        assertThrows(IllegalStateException.class, () -> sim.runUntil(300));
        sim.runUntil(300); // the simulation goes on after a failed event
        assertEquals(300, sim.now());
    }

    @Test
    void randomStreamsFollowTheSeed() {
        long a1 = new Simulation(7).random().nextLong();
        long a2 = new Simulation(7).random().nextLong();
        long b = new Simulation(8).random().nextLong();
        assertEquals(a1, a2);
        assertNotEquals(a1, b);
        Simulation sim = new Simulation(7);
        assertNotEquals(sim.newRandomStream().nextLong(), sim.newRandomStream().nextLong());
    }
}
