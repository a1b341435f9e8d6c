package io.keymesh.io;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link SessionEngine} over one UDP socket on one event-loop thread: it receives datagrams,
 * fires the engine's timers when due, and transmits what the engine emits.
 *
 * <p>The engine is not thread-safe, so it is touched only on the loop thread. Other threads reach it
 * with {@link #call}, which runs a function there and completes a future with its result. The
 * {@link Listener} is called on the loop thread and must not block. {@link #close()} stops the loop
 * and closes the socket; it is idempotent.
 */
public final class UdpSessionDriver implements AutoCloseable {
    /** Socket send and receive buffer size asked for (the kernel may cap it at rmem_max / wmem_max). */
    public static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final int MAX_DATAGRAM = 65535;
    private static final Logger log = LoggerFactory.getLogger(UdpSessionDriver.class);

    /** What the driver tells its user, on the loop thread. */
    public interface Listener {
        /** A decrypted payload from {@code peer}; the array is only valid during the call. */
        void onReceive(Peer peer, byte[] payload, int off, int len);

        default void onHandshakeCompleted(Peer peer) {}

        default void onEndpointChanged(Peer peer, InetSocketAddress endpoint) {}

        default void onDropped(Peer peer, DropReason reason, int count) {}
    }

    private final DatagramChannel channel;
    private final Selector selector;
    private final SessionEngine engine;
    private final Listener listener;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final byte[] rxArray = new byte[MAX_DATAGRAM];
    private final InetSocketAddress localAddress;
    private volatile boolean running = true;
    private long sendErrors;
    private long listenerErrors;

    /**
     * Binds {@code bind} (port 0 picks one) and starts the loop thread.
     *
     * @throws UncheckedIOException if the socket cannot be opened or bound
     */
    public UdpSessionDriver(PrivateKey key, InetSocketAddress bind, RandomGenerator random, Listener listener) {
        this.listener = listener;
        long wallOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        this.engine = new SessionEngine(key, random, wallOffset, new Sink());
        try {
            this.channel = bind.getAddress() != null && bind.getAddress().getAddress().length == 4
                    ? DatagramChannel.open(StandardProtocolFamily.INET)
                    : DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.bind(bind);
            channel.configureBlocking(false);
            this.selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind UDP " + bind + ": " + e.getMessage(), e);
        }
        this.thread = Thread.ofPlatform().name("keymesh-udp-" + localAddress.getPort()).daemon().unstarted(this::loop);
        thread.start();
    }

    /** The bound local address. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Runs {@code f} on the loop thread with the engine and the current time; completes with its result. */
    public <T> CompletableFuture<T> call(EngineFunction<T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(f.apply(engine, System.nanoTime()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        selector.wakeup();
        return result;
    }

    /** A function run on the loop thread with the engine and the current engine time. */
    @FunctionalInterface
    public interface EngineFunction<T> {
        T apply(SessionEngine engine, long nowNanos);
    }

    /** Convenience: {@link #call} for a function of the engine alone. */
    public <T> CompletableFuture<T> call(Function<SessionEngine, T> f) {
        return call((e, now) -> f.apply(e));
    }

    /** Datagrams the socket refused to send. */
    public long sendErrors() {
        return sendErrors;
    }

    /** Exceptions thrown by the listener (each logged; the loop goes on). */
    public long listenerErrors() {
        return listenerErrors;
    }

    private void loop() {
        try {
            while (running) {
                long now = System.nanoTime();
                long deadline = engine.nextDeadline();
                long waitMillis = deadline == Long.MAX_VALUE ? 0 : Math.max(1, (deadline - now + 999_999) / 1_000_000);
                if (tasks.isEmpty()) {
                    selector.select(waitMillis);
                }
                selector.selectedKeys().clear();
                receiveAll();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                now = System.nanoTime();
                if (engine.nextDeadline() <= now) {
                    try {
                        engine.onTimer(now);
                    } catch (RuntimeException e) {
                        listenerErrors++;
                        log.warn("listener failed during timers", e);
                    }
                }
            }
        } catch (IOException e) {
            if (running) {
                log.error("UDP loop on {} failed", localAddress, e);
            }
        } catch (RuntimeException e) {
            log.error("UDP loop on {} failed", localAddress, e);
        }
    }

    private void receiveAll() throws IOException {
        SocketAddress from;
        while ((from = receiveOne()) != null) {
            int len = rx.remaining();
            rx.get(rxArray, 0, len);
            try {
                engine.receive(System.nanoTime(), rxArray, 0, len, (InetSocketAddress) from);
            } catch (RuntimeException e) {
                // The engine drops bad packets without throwing; this is the listener's failure.
                // One bad callback must not stop the node.
                listenerErrors++;
                log.warn("listener failed on a packet from {}", from, e);
            }
        }
    }

    private SocketAddress receiveOne() throws IOException {
        rx.clear();
        SocketAddress from = channel.receive(rx);
        rx.flip();
        return from;
    }

    private final class Sink implements SessionSink {
        @Override
        public void transmit(Peer peer, InetSocketAddress to, byte[] packet, int off, int len) {
            tx.clear();
            tx.put(packet, off, len).flip();
            try {
                if (channel.send(tx, to) == 0) {
                    sendErrors++;
                }
            } catch (IOException e) {
                sendErrors++;
                log.debug("send to {} failed: {}", to, e.toString());
            }
        }

        @Override
        public void deliver(Peer peer, byte[] payload, int off, int len) {
            listener.onReceive(peer, payload, off, len);
        }

        @Override
        public void handshakeCompleted(Peer peer) {
            listener.onHandshakeCompleted(peer);
        }

        @Override
        public void endpointChanged(Peer peer, InetSocketAddress endpoint) {
            listener.onEndpointChanged(peer, endpoint);
        }

        @Override
        public void dropped(Peer peer, DropReason reason, int count) {
            listener.onDropped(peer, reason, count);
        }
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            log.debug("close failed", e);
        }
    }
}
