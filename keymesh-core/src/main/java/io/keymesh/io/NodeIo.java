package io.keymesh.io;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.random.RandomGenerator;

/**
 * The world a node runs in: one datagram socket, a monotonic clock, a scheduler and randomness,
 * all driven from one thread, the <em>loop</em>. {@link UdpNodeIo} is the real one; the simulator
 * ({@code keymesh-sim}) provides a virtual one, so the same node code runs over both.
 *
 * <p>Thread-safety: {@link #execute} may be called from any thread; everything else only on the
 * loop thread (in a simulation there is only one thread), except that when
 * {@link #concurrentSends()} is true, {@link #send} and {@link #nanoTime} may be called from any
 * thread too. Callbacks run on the loop thread.
 *
 * <p>The loop stops for good on {@link #close()}, or when it fails ({@link UdpNodeIo}: an I/O error
 * of the socket, or a {@link VirtualMachineError} in a callback; any other exception a callback
 * throws is counted and the loop goes on). Then nobody is left waiting on it: {@link #execute}
 * refuses new tasks, the receiver is told ({@link Receiver#stopped}), and queued {@link Task}s are
 * {@linkplain Task#abandoned abandoned} (other queued tasks are dropped).
 */
public interface NodeIo extends AutoCloseable {
    /** Receives datagrams on the loop thread. The array is valid only during the call. */
    @FunctionalInterface
    interface Receiver {
        void receive(InetSocketAddress from, byte[] buf, int off, int len);

        /**
         * A datagram that arrived with the ECN codepoint {@code ecn} of its IP header (0 Not-ECT,
         * 1 ECT(1), 2 ECT(0), 3 CE), from an I/O that reads it ({@link NodeIo#ecnCapable()});
         * by default the codepoint is dropped.
         */
        default void receive(InetSocketAddress from, byte[] buf, int off, int len, int ecn) {
            receive(from, buf, off, len);
        }

        /**
         * Receives the datagrams of one receive call, in arrival order (an I/O that reads several
         * datagrams per system call hands them over together, so that the receiver may work on them
         * together). The default passes each to
         * {@link #receive(InetSocketAddress, byte[], int, int, int)} in turn, reports one that throws
         * ({@link DatagramBatch#failed}) before going on, and tells the I/O where each received
         * message ends ({@link DatagramBatch#endOfMessage}); a {@link VirtualMachineError} is thrown
         * on, which stops the loop.
         */
        default void receive(DatagramBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                try {
                    receive(batch.from(i), batch.buffer(), batch.offset(i), batch.length(i), batch.ecn(i));
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    batch.failed(i, e);
                }
                if (batch.endsMessage(i)) {
                    batch.endOfMessage();
                }
            }
        }

        /**
         * Called once, on the loop thread, when the loop has stopped for good: {@code failure} is
         * null after {@link NodeIo#close()}, else what stopped the loop. Queued tasks are abandoned
         * right after (so whoever learns of an abandoned task finds the stop already reported);
         * nothing else runs on the loop afterwards.
         */
        default void stopped(Throwable failure) {}
    }

    /**
     * A task that is told if it will never run: when the loop stops with it still queued,
     * {@link #abandoned} is called instead of {@link #run}, once, on the thread that found it.
     */
    interface Task extends Runnable {
        /** The loop stopped before running this task; {@code reason} says why (closed, or failed and on what). */
        void abandoned(IllegalStateException reason);
    }

    /** A scheduled task that has not run yet can be cancelled. */
    interface Timer {
        void cancel();
    }

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /** Nanoseconds to add to {@link #nanoTime()} to get Unix time (for TAI64N timestamps). */
    long wallClockOffsetNanos();

    /** The randomness for keys, indices and jitter: secure in real use, seeded in a simulation. */
    RandomGenerator random();

    /** The bound local address. */
    InetSocketAddress localAddress();

    /**
     * The addresses, with the bound port, at which peers on the same networks may reach this socket
     * (host candidates, RFC 8445 section 5.1.1.1): the bound address, or for a wildcard bind none
     * by default. Loop thread; may be slow (it may enumerate interfaces), so call it rarely.
     */
    default List<InetSocketAddress> localAddresses() {
        InetSocketAddress a = localAddress();
        return a.getAddress().isAnyLocalAddress() ? List.of() : List.of(a);
    }

    /**
     * True if this I/O reads the ECN bits of what arrives (and passes them to
     * {@link Receiver#receive(InetSocketAddress, byte[], int, int, int)}) and marks what
     * {@link #setEcnMarking} asks it to. False by default.
     */
    default boolean ecnCapable() {
        return false;
    }

    /**
     * Datagrams to {@code to} leave marked ECT(0) from now on ({@code mark}), or Not-ECT. Any
     * thread; ignored by an I/O that is not {@link #ecnCapable()}.
     */
    default void setEcnMarking(InetSocketAddress to, boolean mark) {}

    /** Starts delivering received datagrams to {@code receiver}. Call once. */
    void start(Receiver receiver);

    /**
     * Sends one datagram; the bytes are consumed before return. Loop thread only, unless
     * {@link #concurrentSends()}: then from any thread, concurrently with the loop.
     */
    void send(InetSocketAddress to, byte[] buf, int off, int len);

    /**
     * True if {@link #send} and {@link #nanoTime} may be called from any thread (a real socket), so
     * a node may encrypt and send on the caller's thread instead of the loop's. False, the default,
     * keeps all work on the loop thread, as a deterministic simulation needs.
     */
    default boolean concurrentSends() {
        return false;
    }

    /**
     * Runs {@code task} on the loop thread soon; from any thread. Tasks run in submission order. A
     * task accepted here either runs or, if the loop stops first and it is a {@link Task}, is
     * abandoned.
     *
     * @throws RejectedExecutionException if the loop has stopped (closed or failed)
     */
    void execute(Runnable task);

    /** Runs {@code task} on the loop thread at {@code atNanos} (or soon after). Loop thread only. */
    Timer schedule(long atNanos, Runnable task);

    /** True if the caller is on the loop thread. */
    boolean inLoop();

    /** Stops the loop (queued tasks are abandoned, see {@link Task}) and releases the socket. Idempotent. */
    @Override
    void close();
}
