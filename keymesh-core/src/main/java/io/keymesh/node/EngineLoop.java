package io.keymesh.node;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.NodeIo;
import io.keymesh.session.Peer;
import io.keymesh.session.SendPath;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.Transmit;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Drives a {@link SessionEngine} over a {@link NodeIo}: received datagrams go into the engine, the
 * engine's packets go out of the socket, and one timer wakes the engine at its next deadline.
 *
 * <p>The engine belongs to the loop thread. {@link #call} runs a function there (directly when
 * already on it) and re-arms the timer afterwards; code on the loop thread that uses
 * {@link #engine()} directly calls {@link #rearm()} when done. The engine transmits through the
 * socket ({@link NodeIoTransmit}) and tells {@code events} what it delivers and what happens, on the
 * loop thread; a received datagram's source reaches the engine as a {@link io.keymesh.session.UdpEndpoint}.
 *
 * <p>{@link #sendOnCallerThread} is the exception to "the engine belongs to the loop thread": when
 * the I/O takes sends from any thread, a packet for a peer with a usable session is encrypted and
 * sent on the caller's thread through the peer's {@link SendPath}, which reports to the engine what
 * its timers need (see {@link SendPath}).
 *
 * <p>Once the loop has stopped (closed, or failed), {@link #call} and {@link #submit} return futures
 * that have failed with an {@link IllegalStateException} saying why, and so do calls that were
 * queued when it stopped.
 */
public final class EngineLoop implements AutoCloseable {
    private final NodeIo io;
    private final SessionEngine engine;
    private final Wakeup wakeup;
    private final NodeIoTransmit transmit;
    private final EndpointCache endpoints = new EndpointCache();
    /** The ECN codepoint of the datagram the engine is receiving now (loop thread; 0 between datagrams). */
    private int receivingEcn;

    /** A function run on the loop thread with the engine and the current time. */
    @FunctionalInterface
    public interface EngineFunction<T> {
        T apply(SessionEngine engine, long nowNanos);
    }

    public EngineLoop(NodeIo io, PrivateKey key, SessionEvents events) {
        this.io = io;
        this.transmit = new NodeIoTransmit(io);
        this.engine = new SessionEngine(key, io.random(), io.wallClockOffsetNanos(), transmit, events);
        this.wakeup = new Wakeup(io, engine::nextDeadline, now -> engine.onTimer(now));
    }

    /** Starts receiving. */
    public void start() {
        start(failure -> { });
    }

    /**
     * Starts receiving; {@code onStopped} is told, on the loop thread, when the loop stops for good
     * ({@code null} after {@link #close()}, else what stopped it), before queued calls fail.
     */
    public void start(Consumer<Throwable> onStopped) {
        io.start(new NodeIo.Receiver() {
            @Override
            public void receive(InetSocketAddress from, byte[] buf, int off, int len) {
                receive(from, buf, off, len, 0);
            }

            @Override
            public void receive(InetSocketAddress from, byte[] buf, int off, int len, int ecn) {
                receivingEcn = ecn;
                try {
                    engine.receive(io.nanoTime(), buf, off, len, endpoints.of(from));
                } finally {
                    receivingEcn = 0;
                    rearm(); // also after a listener threw: the loop goes on
                }
            }

            @Override
            public void stopped(Throwable failure) {
                onStopped.accept(failure);
            }
        });
    }

    /** Where the engine's packets for endpoints that are not UDP addresses go; set before {@link #start}. */
    public void routeOtherEndpoints(Transmit others) {
        transmit.setOthers(others);
    }

    /**
     * The ECN codepoint (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) of the datagram whose payload is being
     * delivered, for code the engine calls while it receives; 0 outside a receive. Loop thread only.
     */
    public int receivingEcn() {
        return receivingEcn;
    }

    /** The engine; loop thread only. */
    public SessionEngine engine() {
        return engine;
    }

    /** The I/O this loop runs on. */
    public NodeIo io() {
        return io;
    }

    /**
     * Runs {@code f} on the loop thread (at once if already there) and completes with its result,
     * or with what it threw.
     */
    public <T> CompletableFuture<T> call(EngineFunction<T> f) {
        Call<T> task = new Call<>(f);
        if (io.inLoop()) {
            task.run();
        } else {
            queue(task);
        }
        return task.result;
    }

    /** Like {@link #call}, but always queued behind what the loop is doing, never run re-entrantly. */
    public <T> CompletableFuture<T> submit(EngineFunction<T> f) {
        Call<T> task = new Call<>(f);
        queue(task);
        return task.result;
    }

    private void queue(Call<?> task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException e) {
            task.result.completeExceptionally(new IllegalStateException(e.getMessage(), e));
        }
    }

    /** A function for the loop thread and its result: completed by running it, or failed if the loop stops first. */
    private final class Call<T> implements NodeIo.Task {
        final EngineFunction<T> f;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Call(EngineFunction<T> f) {
            this.f = f;
        }

        @Override
        public void run() {
            try {
                result.complete(f.apply(engine, io.nanoTime()));
            } catch (VirtualMachineError e) {
                result.completeExceptionally(e);
                throw e; // the loop stops on it, as on one from any other callback
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                rearm();
            }
        }

        @Override
        public void abandoned(IllegalStateException reason) {
            result.completeExceptionally(reason);
        }
    }

    /**
     * Encrypts {@code buf[off..off+len)} for {@code peer} and sends it on the calling thread, if the
     * I/O takes sends from any thread ({@link NodeIo#concurrentSends()}), the caller is not the loop
     * thread, and the peer's {@link SendPath} needs nothing from the engine for it. The buffer has
     * the engine's headroom and tailroom around the payload ({@link SessionEngine#send}).
     *
     * @param aead the calling thread's own AEAD instance, of the engine's transport kind
     * @return true if sent; false if the caller must pass the packet to {@link SessionEngine#send}
     *     on the loop thread (the buffer's contents are then unspecified)
     */
    public boolean sendOnCallerThread(Peer peer, byte[] buf, int off, int len, Aead aead) {
        if (!io.concurrentSends() || io.inLoop()) {
            return false;
        }
        return switch (peer.sendPath().send(io.nanoTime(), buf, off, len, aead, transmit)) {
            case SENT -> true;
            case SENT_WAKE_ENGINE -> {
                try {
                    io.execute(this::rearm); // the engine has a timer to start before its current deadline
                } catch (RejectedExecutionException e) {
                    // the loop has stopped: no timer of its will run again
                }
                yield true;
            }
            case DECLINED -> false;
        };
    }

    /** Makes sure the engine is woken by its next deadline. */
    public void rearm() {
        wakeup.rearm();
    }

    @Override
    public void close() {
        io.close();
    }
}
