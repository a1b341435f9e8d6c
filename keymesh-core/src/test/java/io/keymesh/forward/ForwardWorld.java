package io.keymesh.forward;

import static io.keymesh.testing.Loopback.get;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Two nodes on 127.0.0.1, each with a {@link Forwarder} as its listener: {@code exposing} ("b",
 * the services' side) and {@code connecting} ("a", the forwards' side), peers of each other; and
 * TCP servers on 127.0.0.1 for them to reach. Keys are made first, so that configurations may
 * name them. Closes everything it started, newest first. For tests and benchmarks.
 */
final class ForwardWorld implements AutoCloseable {
    final Loopback net = new Loopback();
    final PresharedKey network = TestKeys.newNetworkKey();
    final PrivateKey keyA = TestKeys.newKey();
    final PrivateKey keyB = TestKeys.newKey();
    Forwarder a;
    Forwarder b;
    MeshNode nodeA;
    MeshNode nodeB;
    /** b's channel settings (set before {@link #start}). */
    io.keymesh.channel.ChannelConfig channelsB = io.keymesh.channel.ChannelConfig.DEFAULT;

    PublicKey a() {
        return keyA.publicKey();
    }

    PublicKey b() {
        return keyB.publicKey();
    }

    /** Starts both nodes and forwarders with the configurations {@code configs} makes from this world. */
    ForwardWorld start(Function<ForwardWorld, ForwardingConfig> exposing, Function<ForwardWorld, ForwardingConfig> connecting) {
        b = new Forwarder(exposing.apply(this));
        a = new Forwarder(connecting.apply(this));
        nodeB = net.start(keyB, network, b, channelsB);
        nodeA = net.start(keyA, network, a);
        get(nodeB.addPeer(PeerConfig.of(a(), nodeA.localAddress())));
        get(nodeA.addPeer(PeerConfig.of(b(), nodeB.localAddress())));
        try {
            b.start(nodeB);
            a.start(nodeA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        net.track(b);
        net.track(a);
        return this;
    }

    /** A forward on a's side to b's {@code service} on a free port of 127.0.0.1. */
    LocalForward forward(String service) {
        try {
            return a.addForward(new LocalForward(new InetSocketAddress(Loopback.LOCALHOST, 0), b(), service));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection to {@code f}'s listener. */
    Socket connect(LocalForward f) {
        try {
            Socket s = new Socket(Loopback.LOCALHOST, f.listen().getPort());
            net.track(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP server on 127.0.0.1 running {@code handler} on a virtual thread per connection. */
    TestServer server(TestServer.Handler handler) {
        return net.track(new TestServer(handler));
    }

    /** Reads until the stream ends or fails; true if it failed with a reset, false at a clean end. */
    static boolean endsWithReset(Socket s) {
        try {
            java.io.InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // drain
            }
            return false;
        } catch (java.net.SocketException e) {
            return true;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A free TCP port on 127.0.0.1 nothing listens on (bound and closed again). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, Loopback.LOCALHOST)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TcpAddress local(int port) {
        return new TcpAddress("127.0.0.1", port);
    }

    @Override
    public void close() throws Exception {
        net.close();
    }

    // ------------------------------------------------------------------ streams

    /** Writes {@code length} bytes of the stream seeded {@code seed} to {@code out}. */
    static void writeStream(OutputStream out, long seed, long length) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[16 << 10];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(buf.length, left);
            r.nextBytes(buf);
            out.write(buf, 0, n);
            left -= n;
        }
        out.flush();
    }

    /** SHA-256 of {@code length} bytes of the stream seeded {@code seed}. */
    static String streamHash(long seed, long length) {
        MessageDigest d = sha256();
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[16 << 10];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(buf.length, left);
            r.nextBytes(buf);
            d.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** What {@link #readAll} read: how many bytes and their SHA-256. */
    record Read(long length, String sha256) {}

    /** Reads {@code in} to its end. */
    static Read readAll(InputStream in) throws IOException {
        MessageDigest d = sha256();
        byte[] buf = new byte[64 << 10];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            d.update(buf, 0, n);
            total += n;
        }
        return new Read(total, HexFormat.of().formatHex(d.digest()));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A TCP server on 127.0.0.1:0; each connection's handler runs on a virtual thread; its failures are kept. */
    static final class TestServer implements AutoCloseable {
        @FunctionalInterface
        interface Handler {
            void handle(Socket s) throws Exception;
        }

        final ServerSocket server;
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Socket> accepted = new ConcurrentLinkedQueue<>();

        TestServer(Handler handler) {
            try {
                server = new ServerSocket(0, 256, Loopback.LOCALHOST);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofVirtual().start(() -> {
                while (true) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (IOException e) {
                        return;
                    }
                    accepted.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            handler.handle(s);
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    });
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        TcpAddress address() {
            return local(port());
        }

        List<String> failureTexts() {
            return failures.stream().map(Throwable::toString).toList();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
