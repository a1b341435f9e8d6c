package io.keymesh.node;

import io.keymesh.testing.Loopback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on loopback between one server (a node) and one client, counting and capturing every
 * packet each way: what a node sends is observed on the wire, not taken from the node's own counters.
 * Point the client at {@link #address()}; the server sees the tap's address as the client's.
 *
 * <p>Plain JDK {@link DatagramChannel}, one thread. The client is whoever last sent from an address
 * other than the server's. Counters and captures are thread-safe.
 */
final class UdpTap implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private final Thread thread;
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    private final ConcurrentLinkedQueue<byte[]> fromClient = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<byte[]> fromServer = new ConcurrentLinkedQueue<>();
    private volatile SocketAddress client;

    UdpTap(InetSocketAddress server) {
        this.server = server;
        try {
            channel = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
            channel.bind(new InetSocketAddress(Loopback.LOCALHOST, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().name("udp-tap-" + address().getPort()).daemon().start(this::relay);
    }

    /** Where the client sends. */
    InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Packets relayed from the client to the server. */
    long toServer() {
        return toServer.get();
    }

    /** Packets relayed from the server to the client: any answer at all. */
    long toClient() {
        return toClient.get();
    }

    /** Copies of the client's packets, in order. */
    List<byte[]> fromClient() {
        return new ArrayList<>(fromClient);
    }

    /** Copies of the server's packets, in order. */
    List<byte[]> fromServer() {
        return new ArrayList<>(fromServer);
    }

    private void relay() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        try {
            while (true) {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                byte[] packet = new byte[buf.remaining()];
                buf.get(packet).flip();
                if (from.equals(server)) {
                    fromServer.add(packet);
                    SocketAddress c = client;
                    if (c != null) {
                        toClient.incrementAndGet();
                        channel.send(buf, c);
                    }
                } else {
                    client = from;
                    fromClient.add(packet);
                    toServer.incrementAndGet();
                    channel.send(buf, server);
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
