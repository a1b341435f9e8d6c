package io.keymesh.node;

import io.keymesh.io.NodeIo;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * One timer on a {@link NodeIo} that wakes a state machine at its next deadline. {@link #rearm()}
 * reschedules only when the deadline moved earlier: a wake-up that comes early finds nothing due
 * and arms the next one, so deadlines that move later cost nothing. Loop thread only.
 */
final class Wakeup {
    private final NodeIo io;
    private final LongSupplier deadline;
    private final LongConsumer fire;
    private NodeIo.Timer timer;
    private long timerAt = Long.MAX_VALUE;

    /** {@code deadline} gives the next deadline ({@link Long#MAX_VALUE}: none); {@code fire} runs what is due at a time. */
    Wakeup(NodeIo io, LongSupplier deadline, LongConsumer fire) {
        this.io = io;
        this.deadline = deadline;
        this.fire = fire;
    }

    /** Makes sure a wake-up comes by the current deadline. */
    void rearm() {
        long next = deadline.getAsLong();
        if (next >= timerAt) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        timerAt = next;
        timer = next == Long.MAX_VALUE ? null : io.schedule(next, this::run);
    }

    private void run() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        long now = io.nanoTime();
        try {
            if (deadline.getAsLong() <= now) {
                fire.accept(now);
            }
        } finally {
            rearm(); // also after a callback threw: the loop goes on, and so must the deadlines
        }
    }
}
