package io.keymesh.node;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.DatagramBatch;
import io.keymesh.io.NodeIo;
import io.keymesh.session.InboundBatch;
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
 * <p>With {@linkplain #openOnWorkers crypto workers}, a batch of received datagrams
 * ({@link NodeIo.Receiver#receive(DatagramBatch)}) large enough to be worth it is taken in three
 * stages ({@link InboundBatch}): the engine looks up its transport packets' keypairs, the workers and
 * the loop thread open them together, and the loop thread hands the engine every datagram in arrival
 * order, each as soon as its packet is open. Smaller batches, and the I/O that delivers datagrams one by one (the simulator's), go
 * through the engine one datagram at a time on the loop thread.
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
    /** A received batch on its way through the engine; loop thread (and, while opening, the workers). */
    private final InboundBatch inbound = new InboundBatch(64);
    /** Null: every packet is opened on the loop thread. */
    private CryptoWorkers workers;
    /** Each opening thread's own AEAD: 0 the loop thread's, then the workers'. */
    private Aead[] openers;
    /** Batches still to open on the loop thread alone, after a worker stalled; loop thread. */
    private int soloBatches;
    /** Batches whose packets the workers helped open; written on the loop thread. */
    private volatile long parallelBatches;
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

    /**
     * A batch is opened on the workers only from this many packets to open and
     * {@link #PARALLEL_MIN_BYTES} bytes of ciphertext: below, waking a worker costs more than it
     * takes over (see docs/benchmarks.md).
     */
    static final int PARALLEL_MIN_PACKETS = 4;
    /** See {@link #PARALLEL_MIN_PACKETS}. */
    static final int PARALLEL_MIN_BYTES = 4096;
    /** Longer than a worker takes for any packet (a few µs for 64 KiB): it is not running. */
    static final long WORKER_STALL_NANOS = 50_000;
    /** Batches opened on the loop thread alone after a worker stalled ({@link #awaitOpened}). */
    static final int SOLO_BATCHES = 256;

    /**
     * Opens the transport packets of large received batches on {@code threads} worker threads as well
     * as the loop thread, each with its own instance of the AEAD named {@code aead}
     * ({@link Aead#named}). Nothing changes for {@code threads} 0, or for an I/O that keeps all work
     * on the loop thread ({@link NodeIo#concurrentSends()} false: a deterministic simulation). Call
     * before {@link #start}.
     */
    public void openOnWorkers(int threads, String aead) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must not be negative: " + threads);
        }
        if (workers != null) {
            throw new IllegalStateException("crypto workers already set");
        }
        if (threads == 0 || !io.concurrentSends()) {
            return;
        }
        openers = new Aead[threads + 1];
        for (int t = 0; t <= threads; t++) {
            openers[t] = Aead.named(aead);
        }
        workers = new CryptoWorkers(threads, "keymesh-crypto-" + io.localAddress().getPort(),
                (item, thread) -> inbound.open(item, openers[thread]));
    }

    /** Worker threads that open received packets (0: none, all on the loop thread). */
    public int cryptoWorkers() {
        return workers == null ? 0 : workers.threads();
    }

    /** Received batches whose packets the crypto workers helped open; any thread. */
    public long parallelBatches() {
        return parallelBatches;
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
            public void receive(DatagramBatch batch) {
                if (workers == null || !worthOpeningInParallel(batch)) {
                    NodeIo.Receiver.super.receive(batch);
                    return;
                }
                receiveInParallel(batch);
            }

            @Override
            public void stopped(Throwable failure) {
                if (workers != null) {
                    workers.close();
                }
                onStopped.accept(failure);
            }
        });
    }

    private static boolean worthOpeningInParallel(DatagramBatch batch) {
        if (batch.size() < PARALLEL_MIN_PACKETS) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < batch.size() && bytes < PARALLEL_MIN_BYTES; i++) {
            bytes += batch.length(i);
        }
        return bytes >= PARALLEL_MIN_BYTES;
    }

    /**
     * The batch's transport packets opened by the workers and the loop thread together, and every
     * datagram through the engine in arrival order as soon as its packet is open: the workers take
     * packets in order, and the loop thread takes the next one nobody has taken whenever the
     * datagram whose turn it is is still being opened on a worker (or opens it itself when nobody
     * had taken it). A datagram the engine throws on is reported to the I/O
     * ({@link DatagramBatch#failed}) and the rest go on; the I/O hears where each received message
     * ends ({@link DatagramBatch#endOfMessage}), as from the default.
     */
    private void receiveInParallel(DatagramBatch batch) {
        long now = io.nanoTime();
        byte[] buf = batch.buffer();
        boolean started = false;
        try {
            for (int i = 0; i < batch.size(); i++) {
                inbound.add(buf, batch.offset(i), batch.length(i), endpoints.of(batch.from(i)));
            }
            engine.prepare(now, inbound);
            if (soloBatches > 0) {
                soloBatches--;
            } else if (inbound.openings() >= PARALLEL_MIN_PACKETS && inbound.openingBytes() >= PARALLEL_MIN_BYTES) {
                workers.start(inbound.openings());
                started = true;
                parallelBatches++; // only the loop thread writes it
            } // else the engine opens them in turn on this thread
            for (int i = 0; i < inbound.size(); i++) {
                if (started && inbound.isOpening(i)) {
                    awaitOpened(i);
                }
                receivingEcn = batch.ecn(i);
                try {
                    engine.receive(now, inbound, i);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    batch.failed(i, e);
                } finally {
                    receivingEcn = 0;
                }
                if (batch.endsMessage(i)) {
                    batch.endOfMessage(); // what answering the message queued may leave now
                }
            }
        } finally {
            if (started) {
                workers.finish(); // no opening may outlive the batch
            }
            inbound.clear();
            rearm();
        }
    }

    /**
     * Waits until datagram {@code i}'s packet is open, taking packets nobody has taken meanwhile
     * (the one whose turn it is, if nobody has). A worker that holds a packet for longer than
     * {@link #WORKER_STALL_NANOS} has lost its processor to another thread: the next
     * {@link #SOLO_BATCHES} batches are opened on the loop thread alone, so that a busy machine does
     * not make the loop wait on workers it cannot run.
     */
    private void awaitOpened(int i) {
        long waitingSince = 0;
        while (inbound.isOpening(i)) {
            if (workers.runOne()) {
                waitingSince = 0;
                continue;
            }
            // Every packet is taken: this one is in a worker's hands.
            long now = System.nanoTime();
            if (waitingSince == 0) {
                waitingSince = now;
            } else if (now - waitingSince > WORKER_STALL_NANOS) {
                soloBatches = SOLO_BATCHES;
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
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
        if (workers != null) {
            workers.close();
        }
    }
}
