package io.keymesh.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeIo} over a real UDP socket ({@link DatagramChannel}, IPv4 or dual-stack, 4 MiB
 * buffers) with one platform thread as the loop: it waits in a selector until a datagram arrives,
 * a task is submitted or the earliest timer is due.
 *
 * <p>Each pass of the loop runs queued tasks (at most {@link LoopWork#MAX_TASKS_PER_PASS}), receives a batch
 * of datagrams, runs tasks again and then due timers; it waits in the selector only when no task is
 * queued. So tasks that are queued as fast as the loop runs them cannot keep it from the socket or
 * its timers.
 *
 * <p>A callback (task, timer, receiver) that throws is logged and counted
 * ({@link #callbackErrors()}) and the loop goes on, unless it threw a {@link VirtualMachineError}.
 * That, or an I/O error of the selector or socket, stops the loop for good: it is logged, the
 * receiver is told ({@link NodeIo.Receiver#stopped}), queued tasks are abandoned, the socket is
 * released and {@link #execute} refuses tasks, as after {@link #close()}.
 *
 * <p>Receive and send buffers are reused: receiving allocates nothing per datagram beyond what
 * {@link DatagramChannel#receive} does for a new sender address.
 *
 * <p>{@link #send} may be called from any thread ({@link #concurrentSends()} is true): the channel
 * serialises concurrent sends; the loop uses its own direct buffer and other threads one each,
 * kept per thread and grown to the largest datagram that thread sent. The channel is non-blocking,
 * so a sending thread's interrupt does not close it (as it would a blocking channel's).
 */
public final class UdpNodeIo implements UdpIo {
    /** Socket send and receive buffer size asked for (the kernel caps it at rmem_max / wmem_max). */
    public static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final int MAX_DATAGRAM = 65535;
    /** Most datagrams received per pass of the loop before it runs tasks and timers again. */
    private static final int MAX_RECEIVE_BATCH = 64;
    private static final Logger log = LoggerFactory.getLogger(UdpNodeIo.class);

    private final DatagramChannel channel;
    private final Selector selector;
    private final InetSocketAddress localAddress;
    private final long wallClockOffsetNanos;
    private final RandomGenerator random;
    private final LoopWork work = new LoopWork(log);
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final byte[] rxArray = new byte[MAX_DATAGRAM];
    private Thread thread;
    private Receiver receiver;
    /** False once the loop stops for good (closed or failed); {@link #execute} then refuses tasks. */
    private volatile boolean running = true;
    /** True while the loop is in (or about to enter) a blocking select; a task submitter that clears it wakes the loop. */
    private final AtomicBoolean selecting = new AtomicBoolean();
    private int receiveBatch = 1;
    private final AtomicLong sendErrors = new AtomicLong();
    /** Other threads' direct send buffers (a holder each, so a buffer can grow in place). */
    private static final PerThread<ByteBuffer[]> SEND_BUFFERS = new PerThread<>(() -> new ByteBuffer[1]);

    /**
     * Binds {@code bind} (port 0 picks a free port). An IPv4 address binds an IPv4 socket;
     * anything else a dual-stack one.
     *
     * @throws UncheckedIOException if the socket cannot be opened or bound (the message names the address)
     */
    public UdpNodeIo(InetSocketAddress bind) {
        this(bind, new SecureRandom());
    }

    public UdpNodeIo(InetSocketAddress bind, RandomGenerator random) {
        this.random = random;
        this.wallClockOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        DatagramChannel ch = null;
        try {
            ch = bind.getAddress() != null && bind.getAddress().getAddress().length == 4
                    ? DatagramChannel.open(StandardProtocolFamily.INET)
                    : DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            if (ch.supportedOptions().contains(ExtendedSocketOptions.IP_DONTFRAGMENT)) {
                // Path-MTU probes must prove what the path carries, not arrive as IP fragments;
                // a datagram too large for the interface fails to send (counted) instead.
                ch.setOption(ExtendedSocketOptions.IP_DONTFRAGMENT, true);
            }
            ch.bind(bind);
            ch.configureBlocking(false);
            this.selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
            this.channel = ch;
            this.localAddress = (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
            throw new UncheckedIOException("cannot bind UDP " + bind + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long wallClockOffsetNanos() {
        return wallClockOffsetNanos;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The bound address; for a wildcard bind, the addresses of the interfaces that are up, with the
     * bound port — not loopback, link-local or multicast ones, and only IPv4 ones for an IPv4 socket.
     * Empty if the interfaces cannot be read.
     */
    @Override
    public List<InetSocketAddress> localAddresses() {
        return interfaceAddresses(localAddress);
    }

    /** {@link #localAddresses()} of a socket bound to {@code localAddress}. */
    static List<InetSocketAddress> interfaceAddresses(InetSocketAddress localAddress) {
        InetAddress bound = localAddress.getAddress();
        if (!bound.isAnyLocalAddress()) {
            return List.of(localAddress);
        }
        boolean ipv4Only = bound instanceof Inet4Address;
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : ni.inetAddresses().toList()) {
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
                            || (ipv4Only && !(a instanceof Inet4Address))) {
                        continue;
                    }
                    out.add(new InetSocketAddress(a, localAddress.getPort()));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read the interfaces' addresses: {}", e.toString());
            return List.of();
        }
        return out;
    }

    @Override
    public synchronized void start(Receiver receiver) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        this.receiver = receiver;
        thread = Thread.ofPlatform().name("keymesh-udp-" + localAddress.getPort()).daemon().unstarted(this::loop);
        thread.start();
    }

    @Override
    public void send(InetSocketAddress to, byte[] buf, int off, int len) {
        if (inLoop()) {
            sendFrom(tx, to, buf, off, len);
            return;
        }
        ByteBuffer[] holder = SEND_BUFFERS.acquire();
        try {
            sendFrom(sendBuffer(holder, len), to, buf, off, len);
        } finally {
            SEND_BUFFERS.release(holder);
        }
    }

    private void sendFrom(ByteBuffer b, InetSocketAddress to, byte[] buf, int off, int len) {
        b.clear();
        b.put(buf, off, len).flip();
        try {
            if (channel.send(b, to) == 0) {
                sendErrors.incrementAndGet();
            }
        } catch (IOException e) {
            sendErrors.incrementAndGet();
            log.debug("send to {} failed: {}", to, e.toString());
        }
    }

    /** The direct buffer in {@code holder}, grown to at least {@code len} bytes if need be. */
    private static ByteBuffer sendBuffer(ByteBuffer[] holder, int len) {
        ByteBuffer b = holder[0];
        if (b == null || b.capacity() < len) {
            b = ByteBuffer.allocateDirect(Math.max(2048, Integer.highestOneBit(Math.max(1, len - 1)) << 1));
            holder[0] = b;
        }
        return b;
    }

    @Override
    public boolean concurrentSends() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Queued first, then checked: a loop that stops sets {@code running} false before it takes
     * the tasks left, so either this thread sees the stop and takes its task back (and refuses it),
     * or the loop (running or abandoning it) finds it.
     */
    @Override
    public void execute(Runnable task) {
        work.add(task);
        if (!running) {
            work.refuseIfStillQueued(task, "the UDP loop on " + localAddress);
            return;
        }
        // Only a loop that is (about to be) blocked needs the wake-up system call, and only one
        // submitter makes it; a loop that is running finds the task before it blocks again.
        if (selecting.get() && selecting.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    @Override
    public Timer schedule(long atNanos, Runnable task) {
        return work.schedule(atNanos, task);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Datagrams the socket refused to send (buffer full, unreachable). */
    public long sendErrors() {
        return sendErrors.get();
    }

    /** Exceptions thrown by callbacks (each logged; the loop went on). Any thread. */
    public long callbackErrors() {
        return work.callbackErrors();
    }

    /** True until the loop stops for good (closed, or failed). Any thread. */
    public boolean isRunning() {
        return running;
    }

    private void loop() {
        Throwable failure = null;
        try {
            while (running) {
                pass();
            }
        } catch (Throwable e) { // an I/O error of the selector or socket, or a VirtualMachineError
            if (running) {
                failure = e;
                log.error("UDP loop on {} stopped: {}", localAddress, e.toString(), e);
            } else { // closed under a pass that was still running
                log.debug("UDP loop on {} ended while closing: {}", localAddress, e.toString());
            }
        } finally {
            stop(failure);
        }
    }

    /** One pass: wait if there is nothing to do, then tasks, datagrams, tasks, due timers. */
    private void pass() throws IOException {
        long now = System.nanoTime();
        long waitMillis = work.waitMillis(now); // 0: block until woken
        int ready = -1; // unknown: try to receive
        if (work.isEmpty()) {
            if (work.nextTimerNanos() <= now) {
                ready = selector.selectNow();
            } else {
                selecting.set(true);
                if (work.isEmpty()) { // again, now that submitters see the flag
                    ready = selector.select(waitMillis);
                }
                selecting.set(false);
            }
        }
        selector.selectedKeys().clear();
        work.runTasks(); // first: a node's configuration is queued before its first datagram
        if (ready != 0) { // the selector is level-triggered: datagrams left unread show up again
            receiveBatch();
        }
        work.runTasks();
        work.runTimers(System.nanoTime());
    }

    /**
     * The loop's end, on its thread: refuse tasks from now on, tell the receiver, abandon the tasks
     * left, and release the socket if nobody is closing it.
     */
    private void stop(Throwable failure) {
        running = false;
        work.stopped(receiver, failure, "the UDP loop on " + localAddress);
        if (failure != null) {
            releaseSocket();
        }
    }

    /**
     * Receives up to {@link #receiveBatch} datagrams. The limit adapts: one while datagrams come one
     * per wake-up (request and answer: the loop goes back to waiting without a receive that finds
     * nothing, one system call less on the way to the next), doubling up to
     * {@link #MAX_RECEIVE_BATCH} while they queue up (a stream: one wake-up for many). Datagrams
     * left unread make the next select return at once.
     */
    private void receiveBatch() throws IOException {
        int limit = receiveBatch;
        for (int n = 0; n < limit; n++) {
            rx.clear();
            SocketAddress from = channel.receive(rx);
            if (from == null) {
                if (n <= 1) {
                    receiveBatch = 1; // drained after at most one: not a stream
                }
                return;
            }
            rx.flip();
            int len = rx.remaining();
            rx.get(rxArray, 0, len);
            try {
                receiver.receive((InetSocketAddress) from, rxArray, 0, len);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                work.failed("receive callback failed on a datagram from " + from, e);
            }
        }
        receiveBatch = Math.min(limit * 2, MAX_RECEIVE_BATCH); // more may be waiting
    }

    /**
     * {@inheritDoc}
     *
     * <p>From another thread, waits up to 2 s for the loop to finish its current pass and abandon
     * the tasks left; from the loop thread, the loop stops at the end of the current pass.
     */
    @Override
    public void close() {
        if (!running) {
            return; // closed, or failed (the loop released the socket)
        }
        running = false;
        selector.wakeup();
        Thread t = thread;
        if (t == null) {
            work.abandon(new IllegalStateException("the UDP loop on " + localAddress + " is closed"));
        } else if (t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseSocket();
    }

    private void releaseSocket() {
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            log.debug("close failed", e);
        }
    }
}
