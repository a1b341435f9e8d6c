package io.keymesh.sim;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A UDP socket bound to a port on a simulated {@link Host}, the simulator's stand-in for a
 * {@code DatagramChannel}. {@link #send} copies the payload and returns at once; the datagram
 * travels in virtual time. Arrivals go to the socket's {@link DatagramHandler}, called by the
 * simulation; never from inside {@code send}.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class VirtualUdpSocket implements AutoCloseable {
    /** The largest UDP payload over IPv4: 65,535 − 20 (IPv4) − 8 (UDP). */
    public static final int MAX_PAYLOAD = 65507;

    private final Host host;
    private final int port;
    private DatagramHandler handler;
    private boolean closed;
    private long packetsSent;
    private long bytesSent;
    private long packetsReceived;
    private long bytesReceived;

    VirtualUdpSocket(Host host, int port, DatagramHandler handler) {
        this.host = host;
        this.port = port;
        this.handler = handler;
    }

    /** The host this socket is on. */
    public Host host() {
        return host;
    }

    /** The bound port. */
    public int port() {
        return port;
    }

    /** The host's current address and the bound port. */
    public InetSocketAddress localAddress() {
        return Ipv4.socketAddress(host.ip(), port);
    }

    /** Replaces the handler for datagrams arriving from now on. */
    public void setHandler(DatagramHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Sends {@code buf[off, off + len)} to {@code to}. The bytes are copied: the caller keeps its buffer.
     * A datagram the network cannot carry is dropped and counted, never reported here, as with UDP.
     *
     * @throws IllegalStateException if the socket is closed
     * @throws IllegalArgumentException if {@code to} is not an IPv4 address with a port in 1..65535, or
     *     {@code len} exceeds {@link #MAX_PAYLOAD}
     * @throws IndexOutOfBoundsException if the range is outside {@code buf}
     */
    public void send(InetSocketAddress to, byte[] buf, int off, int len) {
        if (closed) {
            throw new IllegalStateException("socket " + localAddress() + " is closed");
        }
        Objects.requireNonNull(to, "to");
        Objects.checkFromIndexSize(off, len, buf.length);
        if (to.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + to + ": the simulator has no DNS");
        }
        if (to.getPort() == 0) {
            throw new IllegalArgumentException("cannot send to port 0");
        }
        if (len > MAX_PAYLOAD) {
            throw new IllegalArgumentException("datagram of " + len + " bytes exceeds the UDP maximum " + MAX_PAYLOAD);
        }
        int dstIp = Ipv4.of(to.getAddress());
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        packetsSent++;
        bytesSent += len;
        host.send(new Datagram(host.ip(), port, dstIp, to.getPort(), copy));
    }

    /** Sends all of {@code buf} to {@code to}; see {@link #send(InetSocketAddress, byte[], int, int)}. */
    public void send(InetSocketAddress to, byte[] buf) {
        send(to, buf, 0, buf.length);
    }

    void deliver(Datagram d) {
        packetsReceived++;
        bytesReceived += d.data.length;
        handler.receive(d.from(), d.data, 0, d.data.length);
    }

    /** Datagrams sent. */
    public long packetsSent() {
        return packetsSent;
    }

    /** Payload bytes sent. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Datagrams received. */
    public long packetsReceived() {
        return packetsReceived;
    }

    /** Payload bytes received. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Unbinds the port; datagrams arriving later are dropped as {@link DropReason#PORT_UNREACHABLE}. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            host.closed(this);
        }
    }

    @Override
    public String toString() {
        return "udp " + localAddress() + (closed ? " (closed)" : "");
    }
}
