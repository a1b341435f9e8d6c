package io.keymesh.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeIo} over a Linux UDP socket driven through the C library ({@link Libc}): datagrams are
 * received with {@code recvmmsg} and UDP generic receive offload, and sent in batches with
 * {@code sendmmsg} and UDP segmentation offload, so that a stream of datagrams costs a system call
 * per batch instead of one per datagram. One platform thread is the loop; it waits in
 * {@code ppoll} on the socket and an {@code eventfd} that other threads use to wake it.
 *
 * <p>Each pass of the loop runs queued tasks, receives, runs tasks again and due timers, then sends
 * what the pass queued. Sends from the loop thread are queued and leave together: after each
 * received message (what answering it queued) and at the end of the pass. A send from another thread goes out at once on that thread when it is alone (nothing queued,
 * no send of another thread in the last {@link #STREAM_GAP_NANOS}): a request costs no hand-off.
 * When sends follow each other closely it is queued, the loop woken if it waits, and the loop sends
 * the queue as a batch; a sender that finds the queue full sends it itself. Datagrams leave in the
 * order they were given, per sending thread.
 *
 * <p>The datagrams of one {@code recvmmsg} reach the receiver together, as one
 * {@link DatagramBatch} ({@link NodeIo.Receiver#receive(DatagramBatch)}), in arrival order.
 *
 * <p>Callbacks that throw and loop failures are handled as in {@link UdpNodeIo}. Datagrams still
 * queued when the loop stops are sent before the socket is released.
 */
public final class BatchedUdpNodeIo implements UdpIo {
    /** Socket send and receive buffer size asked for (forced beyond the system limits where the process may). */
    public static final int SOCKET_BUFFER_BYTES = LinuxUdpSocket.BUFFER_BYTES;
    /** Off-loop sends closer together than this are queued for a batch instead of sent at once. */
    static final long STREAM_GAP_NANOS = 20_000;
    /** The ECN codepoint ECT(0) (RFC 3168). */
    private static final int ECT_0 = 2;
    /**
     * How long datagrams queued by other threads may wait for more to join them before the loop
     * sends them; a sender that fills {@link #SENDER_FLUSH_AT} sends them itself first.
     */
    static final long LINGER_NANOS = 50_000;
    /** Queued datagrams at which the thread that queued the last one sends the batch itself. */
    static final int SENDER_FLUSH_AT = 32;
    /** While the loop is too busy to wait in {@code ppoll}, it still looks at the socket at least this often. */
    static final long RECEIVE_CHECK_NANOS = 20_000;
    private static final Logger log = LoggerFactory.getLogger(BatchedUdpNodeIo.class);
    private static final PerThread<DirectScratch> DIRECT = new PerThread<>(DirectScratch::new);

    private final int fd;
    private final int wakeFd;
    private final int family;
    private final Arena arena = Arena.ofShared();
    private final InetSocketAddress localAddress;
    private final long wallClockOffsetNanos;
    private final RandomGenerator random;
    private final LoopWork work = new LoopWork(log);
    private final ReceiveBatch rx;
    /** What one {@code recvmmsg} received, handed to the receiver as one batch. */
    private final DatagramBatch received;
    private final MemorySegment pollFds;
    private final MemorySegment timeout;
    private final MemorySegment loopErrno;
    private final MemorySegment loopScratch;
    private final MemorySegment wakeValue;
    private final MemorySegment wakeErrno;
    private final ReentrantLock fillLock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private SendBatch filling;
    private SendBatch spare;
    /** Datagrams in {@link #filling}; written under {@link #fillLock}, read anywhere. */
    private volatile int queued;
    private volatile long lastOffLoopSend;
    /** When the first datagram of the queue was queued by another thread (the loop sends it by {@link #LINGER_NANOS} after). */
    private volatile long firstQueuedNanos;
    /** Set when the loop queued a datagram in this pass: the pass ends by sending the queue. */
    private boolean loopQueued;
    private long lastReceiveNanos;
    private volatile boolean offload;
    private final boolean receiveOffload;
    private final boolean ecnCapable;
    /** Destinations whose datagrams go marked ECT(0) ({@link #setEcnMarking}). */
    private final java.util.Set<InetSocketAddress> ecnMarked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Threads inside a system call on the socket from outside the loop; the socket is released only at 0. */
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean released;
    private Thread thread;
    private Receiver receiver;
    private volatile boolean running = true;
    private final AtomicBoolean waiting = new AtomicBoolean();
    private boolean moreToReceive;
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong sendCalls = new AtomicLong();
    private final AtomicLong datagramsSent = new AtomicLong();
    private volatile long receiveCalls; // written by the loop only
    private volatile long datagramsReceived;

    /** A sending thread's native buffers for sending at once. */
    private static final class DirectScratch {
        final Arena arena = Arena.ofAuto();
        final MemorySegment name = arena.allocate(32, 8);
        final MemorySegment errno = Libc.errnoSegment(arena);
        MemorySegment data = arena.allocate(2048, 64);

        MemorySegment data(int len) {
            if (data.byteSize() < len) {
                data = arena.allocate(Math.max(2048, Integer.highestOneBit(Math.max(1, len - 1)) << 1), 64);
            }
            return data;
        }
    }

    /** True where this I/O can run: Linux on x86-64 or AArch64 with native access; else see {@link #unavailableReason()}. */
    public static boolean isAvailable() {
        return Libc.AVAILABLE;
    }

    /** Why this I/O cannot run here, or null if it can. */
    public static String unavailableReason() {
        return Libc.UNAVAILABLE_REASON;
    }

    /** Binds {@code bind} (port 0 picks a free port), as {@link UdpNodeIo#UdpNodeIo(InetSocketAddress)}. */
    public BatchedUdpNodeIo(InetSocketAddress bind) {
        this(bind, new SecureRandom());
    }

    /**
     * Binds {@code bind}: an IPv4 address binds an IPv4 socket, anything else a dual-stack one.
     *
     * @throws IllegalStateException if this I/O is not available here ({@link #isAvailable()})
     * @throws UncheckedIOException if the socket cannot be opened or bound (the message names the address)
     */
    public BatchedUdpNodeIo(InetSocketAddress bind, RandomGenerator random) {
        if (!Libc.AVAILABLE) {
            throw new IllegalStateException(Libc.UNAVAILABLE_REASON);
        }
        this.random = random;
        this.wallClockOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        loopErrno = Libc.errnoSegment(arena);
        loopScratch = arena.allocate(64, 8);
        pollFds = arena.allocate(2L * Libc.POLLFD_SIZE, 8);
        timeout = arena.allocate(16, 8);
        wakeValue = arena.allocate(8, 8);
        wakeValue.set(JAVA_LONG, 0, 1L);
        wakeErrno = Libc.errnoSegment(arena);
        LinuxUdpSocket socket;
        try {
            socket = LinuxUdpSocket.open(bind);
        } catch (UncheckedIOException e) {
            arena.close();
            throw e;
        }
        this.fd = socket.fd();
        this.family = socket.family();
        this.localAddress = socket.localAddress();
        this.offload = socket.offload();
        this.receiveOffload = socket.receiveOffload();
        this.ecnCapable = socket.ecnCapable();
        int w = Libc.eventfd(loopErrno, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (w < 0) {
            int e = Libc.errno(loopErrno);
            Libc.close(loopErrno, fd);
            arena.close();
            throw new UncheckedIOException(new IOException("cannot bind UDP " + bind + ": eventfd: errno " + e));
        }
        this.wakeFd = w;
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, Libc.POLLIN);
        pollFds.set(JAVA_INT, Libc.POLLFD_SIZE, wakeFd);
        pollFds.set(JAVA_SHORT, Libc.POLLFD_SIZE + 4, Libc.POLLIN);
        this.rx = new ReceiveBatch(arena);
        this.received = ReceiveBatch.newBatch(batchOwner);
        this.filling = new SendBatch(arena, family);
        this.spare = new SendBatch(arena, family);
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

    @Override
    public List<InetSocketAddress> localAddresses() {
        return UdpNodeIo.interfaceAddresses(localAddress);
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
    public boolean concurrentSends() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the loop thread the datagram is queued and leaves once the received message being
     * handled is done, or at the end of the loop's pass; on another thread see the class comment.
     */
    @Override
    public void send(InetSocketAddress to, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        int ecn = !ecnMarked.isEmpty() && ecnMarked.contains(to) ? ECT_0 : 0;
        if (inLoop()) {
            queue(to, buf, off, len, ecn, 0);
            loopQueued = true;
            return;
        }
        if (!running) { // closing: nothing would send a queue now
            sendNow(to, buf, off, len);
            return;
        }
        long now = System.nanoTime();
        long last = lastOffLoopSend;
        lastOffLoopSend = now;
        if (ecn == 0 && queued == 0 && !flushLock.isLocked() && now - last > STREAM_GAP_NANOS) {
            sendNow(to, buf, off, len);
            return;
        }
        int n = queue(to, buf, off, len, ecn, now);
        if (n == 1 && ecn != 0 && now - last > STREAM_GAP_NANOS) {
            flush(); // alone, as sendNow would send it, but with its ECN codepoint
        } else if (n == 1) {
            wake();
        } else if (n >= SENDER_FLUSH_AT) {
            flush();
        }
    }

    /**
     * Queues a datagram; returns how many are queued with it (1: it is the first, and whoever
     * queued it off the loop must wake the loop), or 0 if it was sent or refused at once. A full
     * queue is sent first, on this thread; a datagram larger than a whole batch is sent alone after
     * the queue. {@code now} is when it was queued, if it is the first.
     */
    private int queue(InetSocketAddress to, byte[] buf, int off, int len, int ecn, long now) {
        while (true) {
            fillLock.lock();
            try {
                if (released) {
                    sendErrors.incrementAndGet();
                    return 0;
                }
                if (filling.fits(len)) {
                    filling.add(to, buf, off, len, ecn);
                    int n = filling.count();
                    if (n == 1) {
                        firstQueuedNanos = now; // before queued says so
                    }
                    queued = n;
                    return n;
                }
            } finally {
                fillLock.unlock();
            }
            flush();
            if (len > SendBatch.DATA_BYTES) {
                sendNow(to, buf, off, len);
                return 0;
            }
        }
    }

    /** Sends the queue as one batch, after any batch another thread is sending. Any thread. */
    private void flush() {
        flushLock.lock();
        try {
            SendBatch b;
            fillLock.lock();
            try {
                if (filling.isEmpty() || released) {
                    return;
                }
                b = filling;
                filling = spare;
                spare = b;
                queued = 0;
            } finally {
                fillLock.unlock();
            }
            int n = b.count();
            SendBatch.Outcome o = b.send(fd, offload);
            b.clear();
            sendCalls.addAndGet(o.systemCalls());
            datagramsSent.addAndGet(n - o.failed());
            if (o.failed() > 0) {
                sendErrors.addAndGet(o.failed());
            }
            if (o.offloadRefused()) {
                offload = false;
                log.info("UDP segmentation offload refused on {}: sending datagrams one by one in each batch", localAddress);
            }
        } finally {
            flushLock.unlock();
        }
    }

    /** Sends one datagram with {@code sendto} on the calling thread (not the loop's). */
    private void sendNow(InetSocketAddress to, byte[] buf, int off, int len) {
        if (!enter()) {
            sendErrors.incrementAndGet();
            return;
        }
        DirectScratch s = DIRECT.acquire();
        try {
            MemorySegment data = s.data(len);
            MemorySegment.copy(buf, off, data, JAVA_BYTE, 0, len);
            int nameLen = SockAddrs.write(to, family, s.name);
            long r;
            do {
                r = nameLen < 0 ? -1 : Libc.sendto(s.errno, fd, data, len, 0, s.name, nameLen);
            } while (r < 0 && nameLen >= 0 && Libc.errno(s.errno) == Libc.EINTR);
            sendCalls.incrementAndGet();
            if (r < 0) {
                sendErrors.incrementAndGet();
                log.debug("send to {} failed: errno {}", to, nameLen < 0 ? "(address family)" : Libc.errno(s.errno));
            } else {
                datagramsSent.incrementAndGet();
            }
        } finally {
            DIRECT.release(s);
            exit();
        }
    }

    private boolean enter() {
        users.incrementAndGet();
        if (released) {
            users.decrementAndGet();
            return false;
        }
        return true;
    }

    private void exit() {
        users.decrementAndGet();
    }

    /** Wakes the loop if it waits (or is about to) in {@code ppoll}; only one caller makes the system call. */
    private void wake() {
        if (waiting.get() && waiting.compareAndSet(true, false)) {
            signal();
        }
    }

    /** Writes the wake-up counter, unless the socket is gone. */
    private void signal() {
        if (enter()) {
            try {
                Libc.write(wakeErrno, wakeFd, wakeValue, 8);
            } finally {
                exit();
            }
        }
    }

    /** As {@link UdpNodeIo#execute}. */
    @Override
    public void execute(Runnable task) {
        work.add(task);
        if (!running) {
            work.refuseIfStillQueued(task, "the UDP loop on " + localAddress);
            return;
        }
        wake();
    }

    @Override
    public Timer schedule(long atNanos, Runnable task) {
        return work.schedule(atNanos, task);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Datagrams the socket refused to send. */
    public long sendErrors() {
        return sendErrors.get();
    }

    /** Exceptions thrown by callbacks (each logged; the loop went on). Any thread. */
    public long callbackErrors() {
        return work.callbackErrors();
    }

    /** System calls made to send ({@code sendto} and {@code sendmmsg}), and datagrams sent by them. Any thread. */
    public long sendSystemCalls() {
        return sendCalls.get();
    }

    public long datagramsSent() {
        return datagramsSent.get();
    }

    /** {@code recvmmsg} calls made and datagrams received by them (the loop's counts; from another thread they may lag). */
    public long receiveSystemCalls() {
        return receiveCalls;
    }

    public long datagramsReceived() {
        return datagramsReceived;
    }

    /** Received messages, or their tails, dropped for not fitting a receive slot (loop's count; may lag). */
    public long receivesTruncated() {
        return rx.truncated();
    }

    @Override
    public boolean ecnCapable() {
        return ecnCapable;
    }

    @Override
    public void setEcnMarking(InetSocketAddress to, boolean mark) {
        if (mark) {
            ecnMarked.add(to);
        } else {
            ecnMarked.remove(to);
        }
    }

    /** Whether sends use UDP segmentation offload (until the kernel refuses it) and receives UDP GRO. */
    public boolean offload() {
        return offload;
    }

    public boolean receiveOffload() {
        return receiveOffload;
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
        } catch (Throwable e) {
            if (running) {
                failure = e;
                log.error("UDP loop on {} stopped: {}", localAddress, e.toString(), e);
            } else {
                log.debug("UDP loop on {} ended while closing: {}", localAddress, e.toString());
            }
        } finally {
            stop(failure);
        }
    }

    /**
     * One pass: wait if there is nothing to do, then tasks, datagrams, tasks, due timers, and send
     * the queue if the loop added to it or other threads' datagrams have lingered long enough.
     */
    private void pass() throws IOException {
        long now = System.nanoTime();
        boolean readable = moreToReceive || now - lastReceiveNanos >= RECEIVE_CHECK_NANOS;
        if (!moreToReceive && work.isEmpty()) {
            waiting.set(true);
            // After the flag: a task or a first datagram queued from now on wakes the loop.
            long until = Math.min(work.nextTimerNanos(), queued > 0 ? firstQueuedNanos + LINGER_NANOS : Long.MAX_VALUE);
            if (work.isEmpty() && until > now) {
                readable = waitForWork(until == Long.MAX_VALUE ? -1 : until - now);
            }
            waiting.set(false);
        }
        work.runTasks(); // first: a node's configuration is queued before its first datagram
        if (readable) {
            receive();
        }
        work.runTasks();
        now = System.nanoTime();
        work.runTimers(now);
        if (queued > 0 && (loopQueued || now - firstQueuedNanos >= LINGER_NANOS)) {
            flush();
        }
        loopQueued = false;
    }

    /**
     * Waits in {@code ppoll} for the socket or a wake-up, at most {@code nanos} (-1: no limit);
     * true if the socket is readable. Resets the wake-up counter if it was written.
     */
    private boolean waitForWork(long nanos) throws IOException {
        pollFds.set(JAVA_SHORT, 6, (short) 0);
        pollFds.set(JAVA_SHORT, Libc.POLLFD_SIZE + 6, (short) 0);
        MemorySegment limit = MemorySegment.NULL;
        if (nanos >= 0) {
            timeout.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
            limit = timeout;
        }
        int r = Libc.ppoll(loopErrno, pollFds, 2, limit);
        if (r < 0) {
            if (Libc.errno(loopErrno) == Libc.EINTR) {
                return false;
            }
            throw new IOException("ppoll: errno " + Libc.errno(loopErrno));
        }
        if (r == 0) {
            return false;
        }
        if ((pollFds.get(JAVA_SHORT, Libc.POLLFD_SIZE + 6) & Libc.POLLIN) != 0) {
            Libc.read(loopErrno, wakeFd, loopScratch, 8);
        }
        return pollFds.get(JAVA_SHORT, 6) != 0;
    }

    /** One {@code recvmmsg}; a full one means more may wait, so the next pass receives without waiting. */
    private void receive() throws IOException {
        int r = rx.receive(fd, received);
        receiveCalls++;
        lastReceiveNanos = System.nanoTime();
        if (r < 0) {
            throw new IOException("recvmmsg: errno " + rx.errno());
        }
        moreToReceive = r == ReceiveBatch.SLOTS;
        if (received.size() > 0) {
            datagramsReceived += received.size();
            try {
                receiver.receive(received);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                work.failed("receive callback failed on a batch of " + received.size() + " datagrams", e);
            }
        }
    }

    /**
     * What the receiver tells {@link #receive} about its batch. After each received message, what
     * its datagrams made the loop queue (acknowledgements, answers) leaves at once rather than at
     * the end of the pass: a pass may receive 16 messages of coalesced datagrams, and an answer held
     * behind all of them would wait the time it takes to decrypt a megabyte.
     */
    private final DatagramBatch.Owner batchOwner = new DatagramBatch.Owner() {
        @Override
        public void failed(InetSocketAddress from, Throwable e) {
            work.failed("receive callback failed on a datagram from " + from, e);
        }

        @Override
        public void endOfMessage() {
            if (loopQueued) {
                loopQueued = false;
                if (queued > 0) {
                    flush();
                }
            }
        }
    };

    /** The loop's end, on its thread: send what is queued, tell the receiver, abandon tasks, release the socket. */
    private void stop(Throwable failure) {
        running = false;
        if (failure == null) {
            try {
                flush();
            } catch (RuntimeException e) {
                log.debug("sending the last queued datagrams failed: {}", e.toString());
            }
        }
        work.stopped(receiver, failure, "the UDP loop on " + localAddress);
        releaseSocket();
    }

    /**
     * {@inheritDoc}
     *
     * <p>From another thread, waits up to 2 s for the loop to finish its pass, send what is queued
     * and release the socket; from the loop thread, the loop stops at the end of the current pass.
     */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        Thread t = thread;
        if (t == null) {
            work.abandon(new IllegalStateException("the UDP loop on " + localAddress + " is closed"));
            releaseSocket();
            return;
        }
        signal();
        if (t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the socket once no other thread is inside a call on it, then frees the native memory. Idempotent. */
    private void releaseSocket() {
        flushLock.lock();
        fillLock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
        } finally {
            fillLock.unlock();
            flushLock.unlock();
        }
        while (users.get() > 0) {
            Thread.onSpinWait();
        }
        try (Arena closing = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoSegment(closing);
            Libc.close(errno, fd);
            Libc.close(errno, wakeFd);
        }
        arena.close();
    }

}
