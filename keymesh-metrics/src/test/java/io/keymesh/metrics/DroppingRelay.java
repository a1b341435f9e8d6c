package io.keymesh.metrics;

import io.keymesh.testing.Loopback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on loopback between one server (a node) and one client (whoever last sent from
 * another address) that drops every {@code n}th WireGuard transport packet (type 4) from the client
 * while {@link #dropping}, so that the client's reliable connection declares packets lost.
 * Handshake messages always pass. One thread; counters are thread-safe.
 */
final class DroppingRelay implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private final int n;
    private final Thread thread;
    final AtomicLong dropped = new AtomicLong();
    volatile boolean dropping = true;
    private volatile SocketAddress client;

    DroppingRelay(InetSocketAddress server, int n) {
        this.server = server;
        this.n = n;
        try {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.bind(new InetSocketAddress(Loopback.LOCALHOST, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().name("dropping-relay").daemon().start(this::relay);
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void relay() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        long transport = 0;
        try {
            while (true) {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                SocketAddress to;
                if (from.equals(server)) {
                    to = client;
                } else {
                    client = from;
                    to = server;
                    if (buf.remaining() > 0 && buf.get(0) == 4 && dropping && ++transport % n == 0) {
                        dropped.incrementAndGet();
                        continue;
                    }
                }
                if (to != null) {
                    channel.send(buf, to);
                }
            }
        } catch (ClosedChannelException e) {
            // closed: done
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        channel.close();
        thread.join(5_000);
    }
}
