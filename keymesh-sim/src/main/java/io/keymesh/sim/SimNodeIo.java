package io.keymesh.sim;

import io.keymesh.io.NodeIo;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.random.RandomGenerator;

/**
 * A keymesh node's {@link NodeIo} on a simulated host: a {@link VirtualUdpSocket} for the socket,
 * the {@link Simulation}'s virtual clock and scheduler, and a random stream split from its seed —
 * so {@code MeshNode.start(config, listener, new SimNodeIo(host, port))} runs the real node code,
 * deterministically, on the simulated network.
 *
 * <p>Everything runs on the simulation's one thread: {@link #inLoop()} is always true and
 * {@link #execute} schedules the task at the current virtual time. After {@link #close()},
 * {@link #execute} refuses tasks, and a task whose time comes after it is abandoned (told, if it is a
 * {@link NodeIo.Task}) instead of run.
 */
public final class SimNodeIo implements NodeIo {
    /** Unix time the virtual clock's zero stands for: 2026-01-01T00:00:00Z, in nanoseconds. */
    public static final long VIRTUAL_EPOCH_NANOS = 1_767_225_600L * 1_000_000_000L;

    private final Simulation sim;
    private final Host host;
    private final RandomGenerator random;
    private final VirtualUdpSocket socket;
    private boolean closed;
    private Receiver receiver;

    /** A node's I/O on {@code host}, bound to {@code port} (0: an ephemeral port) when started. */
    public SimNodeIo(Host host, int port) {
        this.host = host;
        this.sim = host.network().simulation();
        this.random = sim.newRandomStream();
        this.socket = host.openUdp(port, (from, data, off, len) -> { });
    }

    @Override
    public long nanoTime() {
        return sim.now();
    }

    @Override
    public long wallClockOffsetNanos() {
        return VIRTUAL_EPOCH_NANOS;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    /** The host's address now (it changes when the host moves), with the socket's port. */
    @Override
    public java.util.List<InetSocketAddress> localAddresses() {
        return java.util.List.of(new InetSocketAddress(host.address(), socket.localAddress().getPort()));
    }

    /** The simulated socket (for counters, or to close it and see the node go silent). */
    public VirtualUdpSocket socket() {
        return socket;
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
        socket.setHandler((from, data, off, len) -> {
            if (!closed) {
                receiver.receive(from, data, off, len);
            }
        });
    }

    @Override
    public void send(InetSocketAddress to, byte[] buf, int off, int len) {
        if (!closed) {
            socket.send(to, buf, off, len);
        }
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("the simulated node I/O on " + localAddress() + " is closed");
        }
        sim.schedule(sim.now(), () -> {
            if (!closed) {
                task.run();
            } else if (task instanceof NodeIo.Task t) {
                t.abandoned(new IllegalStateException("the simulated node I/O on " + localAddress() + " is closed"));
            }
        });
    }

    @Override
    public Timer schedule(long atNanos, Runnable task) {
        ScheduledEvent e = sim.schedule(Math.max(atNanos, sim.now()), () -> {
            if (!closed) {
                task.run();
            }
        });
        return e::cancel;
    }

    @Override
    public boolean inLoop() {
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            socket.close();
            if (receiver != null) {
                receiver.stopped(null);
            }
        }
    }
}
