package io.keymesh.bench;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.forward.ForwardStats;
import io.keymesh.forward.Forwarder;
import io.keymesh.forward.ForwardingConfig;
import io.keymesh.forward.LocalForward;
import io.keymesh.forward.TcpAddress;
import io.keymesh.node.MeshNode;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.TestKeys;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run forward}: a TCP service reached through {@code keymesh forward} (two MeshNodes
 * on 127.0.0.1 in this JVM, each with a {@link Forwarder}: the client connects to a's forward, b
 * connects to the service) against the same service reached through a plain TCP relay, {@code
 * socat TCP-LISTEN:p,fork,reuseaddr TCP:127.0.0.1:q}, alternating per round. Three comparisons,
 * each ending with a ratio line: {@code forward-bulk} (MB/s of one connection carrying 512 MiB
 * to the service), {@code forward-rtt} (64-byte request/response round trips on one connection,
 * one outstanding; median microseconds) and {@code forward-connect} (a new connection per
 * request/response, connections/s; socat forks a process per connection, keymesh opens a channel).
 * The service is in this JVM, on its own threads.
 */
final class ForwardBench {
    static final List<String> NAMES = List.of("forward");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long BULK_BYTES = 512L << 20;
    private static final int SMALL = 64;
    private static final long RTT_NANOS = 5_000_000_000L;
    private static final long CONNECT_NANOS = 5_000_000_000L;

    private ForwardBench() {}

    static String describe() {
        return "a TCP service through keymesh forward (two nodes with forwarders) vs through socat (a plain TCP relay):"
                + " forward-bulk MB/s of 512 MiB on one connection, forward-rtt 64-byte request/response median us,"
                + " forward-connect connections/s (one request each)";
    }

    static void run(int rounds) throws Exception {
        System.out.printf("bench/run forward: %s%n", describe());
        System.out.printf("CPU: %s, %d CPUs available to the JVM%n", RelayBench.cpuModel(), Runtime.getRuntime().availableProcessors());
        try (TargetServer service = new TargetServer(); World world = new World(service.port()); Socat socat = new Socat(service.port())) {
            int viaKeymesh = world.forward.listen().getPort();
            int viaSocat = socat.port;
            System.out.println("# keymesh = client -> a's forward -> mesh (encrypted, reliable channel) -> b -> service;"
                    + " baseline = client -> socat -> service");
            EndToEnd.throughput("forward-bulk", "MB/s", rounds, w -> bulk("keymesh ", viaKeymesh, w),
                    w -> bulk("baseline", viaSocat, w));
            System.out.println();
            EndToEnd.latency("forward-rtt", rounds, w -> roundTrips(viaKeymesh, w), w -> roundTrips(viaSocat, w));
            System.out.println();
            EndToEnd.throughput("forward-connect", "connections/s", rounds, w -> connections("keymesh ", viaKeymesh, w),
                    w -> connections("baseline", viaSocat, w));
            ForwardStats a = world.a.stats();
            ForwardStats b = world.b.stats();
            System.out.printf(Locale.ROOT, "# forwarders: a opened %d, refused %d, reset %d, %,d bytes out, %,d in;"
                    + " b opened %d, refused %d, reset %d%n", a.connectionsOpened(), a.connectionsRefused(), a.connectionsReset(),
                    a.bytesToPeers(), a.bytesFromPeers(), b.connectionsOpened(), b.connectionsRefused(), b.connectionsReset());
        }
    }

    // ------------------------------------------------------------------ trials

    /** One connection: 512 MiB (128 MiB in a warm-up) to the service, which answers with the count at the end. */
    private static double bulk(String side, int port, boolean warmup) throws IOException {
        long total = warmup ? 128L << 20 : BULK_BYTES;
        byte[] buf = new byte[256 << 10];
        Arrays.fill(buf, (byte) 0x5a);
        long start = System.nanoTime();
        long counted;
        try (Socket s = new Socket(LOOPBACK, port)) {
            OutputStream out = s.getOutputStream();
            out.write('B');
            for (long sent = 0; sent < total; sent += buf.length) {
                out.write(buf);
            }
            s.shutdownOutput();
            counted = new DataInputStream(s.getInputStream()).readLong();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (counted != total) {
            throw new IllegalStateException(side + ": the service counted " + counted + " bytes of " + total);
        }
        double mbs = total / secs / 1e6;
        System.out.printf(Locale.ROOT, "  %s %s: %,.1f MB/s (%,d bytes in %.2f s)%n", side, warmup ? "warm-up" : "", mbs, total, secs);
        return mbs;
    }

    /** 64-byte requests answered with 64 bytes, one outstanding, for 5 s (1 s in a warm-up); each round trip's nanoseconds. */
    private static long[] roundTrips(int port, boolean warmup) throws IOException {
        long until = System.nanoTime() + (warmup ? 1_000_000_000L : RTT_NANOS);
        long[] samples = new long[1 << 16];
        int n = 0;
        byte[] request = new byte[SMALL];
        byte[] answer = new byte[SMALL];
        try (Socket s = new Socket(LOOPBACK, port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write('E');
            while (System.nanoTime() < until) {
                long t0 = System.nanoTime();
                request[0] = (byte) n;
                out.write(request);
                in.readFully(answer);
                long t = System.nanoTime() - t0;
                if (answer[0] != request[0]) {
                    throw new IllegalStateException("answer " + answer[0] + " to request " + request[0]);
                }
                if (n == samples.length) {
                    samples = Arrays.copyOf(samples, n * 2);
                }
                samples[n++] = t;
            }
        }
        return Arrays.copyOf(samples, n);
    }

    /** New connections, each one 64-byte request and answer, for 5 s (1 s in a warm-up); connections/s. */
    private static double connections(String side, int port, boolean warmup) throws IOException {
        long start = System.nanoTime();
        long until = start + (warmup ? 1_000_000_000L : CONNECT_NANOS);
        byte[] request = new byte[SMALL];
        byte[] answer = new byte[SMALL];
        long count = 0;
        while (System.nanoTime() < until) {
            try (Socket s = new Socket(LOOPBACK, port)) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                out.write('E');
                out.write(request);
                new DataInputStream(s.getInputStream()).readFully(answer);
            }
            count++;
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "  %s %s: %,.0f connections/s (%,d)%n", side, warmup ? "warm-up" : "", rate, count);
        return rate;
    }

    // ------------------------------------------------------------------ the setup

    /**
     * The service: per connection, a first byte 'B' (count everything until EOF, answer the count
     * as 8 bytes) or 'E' (answer each 64-byte request with itself until EOF). Virtual threads.
     */
    private static final class TargetServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 512, LOOPBACK);

        TargetServer() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private static void serve(Socket s) {
            try (s) {
                s.setTcpNoDelay(true);
                InputStream in = s.getInputStream();
                int kind = in.read();
                if (kind == 'B') {
                    byte[] buf = new byte[256 << 10];
                    long total = 0;
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        total += n;
                    }
                    new DataOutputStream(s.getOutputStream()).writeLong(total);
                } else if (kind == 'E') {
                    DataInputStream d = new DataInputStream(in);
                    OutputStream out = s.getOutputStream();
                    byte[] m = new byte[SMALL];
                    while (true) {
                        try {
                            d.readFully(m);
                        } catch (java.io.EOFException e) {
                            return;
                        }
                        out.write(m);
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Nodes a and b on 127.0.0.1 with forwarders: b exposes the service as "svc", a forwards a free port to it. */
    private static final class World implements AutoCloseable {
        final Loopback net = new Loopback();
        final Forwarder a;
        final Forwarder b;
        final LocalForward forward;

        World(int servicePort) throws Exception {
            PresharedKey network = TestKeys.newNetworkKey();
            PrivateKey keyA = TestKeys.newKey();
            PrivateKey keyB = TestKeys.newKey();
            b = new Forwarder(ForwardingConfig.DEFAULT.withServices(List.of(io.keymesh.forward.Service.of("svc",
                    new TcpAddress("127.0.0.1", servicePort)))));
            a = new Forwarder(ForwardingConfig.DEFAULT);
            MeshNode nodeB = net.start(keyB, network, b);
            MeshNode nodeA = net.start(keyA, network, a);
            Loopback.get(nodeB.addPeer(PeerConfig.of(keyA.publicKey(), nodeA.localAddress())));
            Loopback.get(nodeA.addPeer(PeerConfig.of(keyB.publicKey(), nodeB.localAddress())));
            b.start(nodeB);
            a.start(nodeA);
            net.track(b);
            net.track(a);
            forward = a.addForward(new LocalForward(new InetSocketAddress(LOOPBACK, 0), keyB.publicKey(), "svc"));
        }

        @Override
        public void close() throws Exception {
            net.close();
        }
    }

    /** {@code socat TCP-LISTEN:port,fork,reuseaddr TCP:127.0.0.1:target}, started and ready. */
    private static final class Socat implements AutoCloseable {
        final int port;
        private final Process process;

        Socat(int target) throws Exception {
            try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
                port = probe.getLocalPort();
            }
            try {
                process = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr",
                        "TCP:127.0.0.1:" + target).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new IllegalStateException("bench/run forward needs socat on the PATH (apt-get install socat): " + e.getMessage());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket s = new Socket(LOOPBACK, port)) {
                    s.getOutputStream().write('E'); // a connection that ends at once
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        process.destroyForcibly();
                        throw new IllegalStateException("socat did not listen on " + port);
                    }
                    Thread.sleep(20);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
