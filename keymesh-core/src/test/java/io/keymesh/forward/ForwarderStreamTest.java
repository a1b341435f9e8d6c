package io.keymesh.forward;

import static io.keymesh.forward.ForwardWorld.readAll;
import static io.keymesh.forward.ForwardWorld.streamHash;
import static io.keymesh.forward.ForwardWorld.writeStream;
import static io.keymesh.testing.Loopback.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.forward.ForwardWorld.Read;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Forwarded TCP streams between two nodes on 127.0.0.1: many connections at once both ways,
 * half-closes each way, and a reader that stops while the other side writes far more than any
 * buffer. Every byte is checked (SHA-256 of each direction of each connection).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ForwarderStreamTest {
    private static final int MIB = 1 << 20;
    /** XORed into a connection's seed for the server's stream. */
    private static final long BACK = 0x5eed_ba_c4L;

    @AutoClose
    private final ForwardWorld w = new ForwardWorld();

    /**
     * The exchange server: reads a header (seed, length to send back), then sends that many bytes of
     * the stream {@code seed ^ BACK} while reading what the client sends until its EOF; keeps the
     * hash of what it read by seed.
     */
    private static ForwardWorld.TestServer.Handler exchange(Map<Long, Read> received) {
        return s -> {
            DataInputStream in = new DataInputStream(s.getInputStream());
            long seed = in.readLong();
            long back = in.readLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    writeStream(s.getOutputStream(), seed ^ BACK, back);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            received.put(seed, readAll(in));
            writer.join();
        };
    }

    @Test
    void thirtyTwoConcurrentConnectionsCarryMegabytesBothWaysByteExact() throws Exception {
        Map<Long, Read> received = new ConcurrentHashMap<>();
        ForwardWorld.TestServer server = new ForwardWorld.TestServer(exchange(received));
        w.net.track(server);
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("bulk", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        LocalForward f = w.forward("bulk");
        int connections = 32;
        long up = 2L * MIB + 123;
        long down = 3L * MIB - 77;
        List<Future<Read>> reads = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++) {
                long seed = 1000 + i;
                reads.add(pool.submit(() -> {
                    Socket s = w.connect(f);
                    Thread writer = Thread.ofVirtual().start(() -> {
                        try {
                            DataOutputStream out = new DataOutputStream(s.getOutputStream());
                            out.writeLong(seed);
                            out.writeLong(down);
                            writeStream(out, seed, up);
                            s.shutdownOutput();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    Read r = readAll(s.getInputStream());
                    writer.join();
                    s.close();
                    return r;
                }));
            }
            for (int i = 0; i < connections; i++) {
                long seed = 1000 + i;
                assertEquals(new Read(down, streamHash(seed ^ BACK, down)), reads.get(i).get(), "connection " + i + " down");
            }
        }
        await("the server has read every connection", () -> received.size() == connections);
        for (int i = 0; i < connections; i++) {
            long seed = 1000 + i;
            assertEquals(new Read(up, streamHash(seed, up)), received.get(seed), "connection " + i + " up");
        }
        assertEquals(List.of(), server.failureTexts());
        await("every connection ended on both sides", () -> w.a.stats().connectionsActive() == 0
                && w.b.stats().connectionsActive() == 0 && w.a.tableSize() == 0 && w.b.tableSize() == 0);
        ForwardStats a = w.a.stats();
        ForwardStats b = w.b.stats();
        assertEquals(connections, a.connectionsOpened());
        assertEquals(connections, b.connectionsOpened());
        assertEquals(0, a.connectionsReset() + b.connectionsReset() + a.connectionsRefused() + b.connectionsRefused());
        assertEquals(connections * (16 + up), a.bytesToPeers());
        assertEquals(connections * (16 + up), b.bytesFromPeers());
        assertEquals(connections * down, b.bytesToPeers());
        assertEquals(connections * down, a.bytesFromPeers());
        assertEquals(0, a.bufferedBytes() + b.bufferedBytes());
        assertEquals(0, a.malformedMessages() + b.malformedMessages() + a.strayMessages() + b.strayMessages());
    }

    /** The client ends its side first and still reads the whole answer (an echo-until-EOF server). */
    @Test
    void theClientsHalfCloseReachesTheServerAndTheAnswerStillFlows() throws Exception {
        ForwardWorld.TestServer echo = new ForwardWorld.TestServer(s -> {
            byte[] all = s.getInputStream().readAllBytes(); // until the client's EOF
            s.getOutputStream().write(all);
            s.getOutputStream().write(new byte[] {'E', 'N', 'D'});
            s.shutdownOutput();
        });
        w.net.track(echo);
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("echo", echo.address()))),
                x -> ForwardingConfig.DEFAULT);
        Socket s = w.connect(w.forward("echo"));
        long length = 5L * MIB + 3;
        writeStream(s.getOutputStream(), 7, length);
        s.shutdownOutput();
        Read r = readAll(s.getInputStream());
        java.security.MessageDigest d = ForwardWorld.sha256();
        byte[] expected = new byte[(int) length + 3];
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        writeStream(bytes, 7, length);
        System.arraycopy(bytes.toByteArray(), 0, expected, 0, (int) length);
        expected[(int) length] = 'E';
        expected[(int) length + 1] = 'N';
        expected[(int) length + 2] = 'D';
        assertEquals(new Read(length + 3, java.util.HexFormat.of().formatHex(d.digest(expected))), r);
        assertEquals(List.of(), echo.failureTexts());
        await("both sides done", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
        assertEquals(0, w.a.stats().connectionsReset() + w.b.stats().connectionsReset());
    }

    /** The server ends its side first (a greeting, then FIN) and still reads all the client sends. */
    @Test
    void theServersHalfCloseReachesTheClientAndTheClientsDataStillFlows() throws Exception {
        Map<String, Read> got = new ConcurrentHashMap<>();
        ForwardWorld.TestServer greeter = new ForwardWorld.TestServer(s -> {
            s.getOutputStream().write("hello\n".getBytes());
            s.shutdownOutput();
            got.put("client", readAll(s.getInputStream()));
        });
        w.net.track(greeter);
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("greet", greeter.address()))),
                x -> ForwardingConfig.DEFAULT);
        Socket s = w.connect(w.forward("greet"));
        assertEquals("hello\n", new String(s.getInputStream().readAllBytes())); // until the server's EOF
        long length = 4L * MIB + 11;
        writeStream(s.getOutputStream(), 9, length);
        s.shutdownOutput();
        await("the server read the client's stream", () -> got.containsKey("client"));
        assertEquals(new Read(length, streamHash(9, length)), got.get("client"));
        await("both sides done", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
        assertEquals(0, w.a.stats().connectionsReset() + w.b.stats().connectionsReset());
    }

    /**
     * The client stops reading while the server writes 160 MiB: the exposing side's reader waits
     * for window, the connecting side holds at most a window, the server is held back; then the
     * client reads again and every byte arrives.
     */
    @Test
    void aStalledReaderHoldsTheWriterBackWithBoundedBuffersThenEverythingArrives() throws Exception {
        long total = 160L * MIB;
        AtomicLong written = new AtomicLong();
        ForwardWorld.TestServer source = new ForwardWorld.TestServer(s -> {
            OutputStream out = new java.io.FilterOutputStream(s.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    written.addAndGet(len);
                }
            };
            writeStream(out, 21, total);
            s.shutdownOutput();
            s.getInputStream().readAllBytes();
        });
        w.net.track(source);
        int window = 256 << 10;
        w.start(x -> ForwardingConfig.DEFAULT.withWindow(window).withServices(List.of(Service.of("source", source.address()))),
                x -> ForwardingConfig.DEFAULT.withWindow(window));
        Socket s = w.connect(w.forward("source"));
        s.setReceiveBufferSize(64 << 10);
        InputStream in = s.getInputStream();
        assertTrue(in.read() >= 0, "the stream started");

        await("the exposing side waits for window", () -> w.b.stats().waitingForWindow() == 1);
        long stalledAt = written.get();
        for (int i = 0; i < 50; i++) {
            ForwardStats a = w.a.stats();
            ForwardStats b = w.b.stats();
            assertTrue(a.bufferedBytes() <= window, "the connecting side holds at most its window: " + a.bufferedBytes());
            assertTrue(b.bufferedBytes() <= ForwardedConnection.CHUNK, "the exposing side holds at most a chunk: " + b.bufferedBytes());
            assertTrue(written.get() < total / 4, "the server is held back: " + written.get() + " written");
            Thread.sleep(10);
        }
        assertTrue(w.b.stats().bytesToPeers() < total / 4, "sent " + w.b.stats().bytesToPeers());
        System.out.printf("stalled reader: server held at %.1f MiB of %d MiB; forwarders hold %d and %d bytes%n",
                stalledAt / (double) MIB, total / MIB, w.a.stats().bufferedBytes(), w.b.stats().bufferedBytes());

        Read rest = readAll(in);
        java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
        assertEquals(total - 1, rest.length());
        // The whole stream's hash: the first byte read alone, then the rest.
        java.security.MessageDigest d = ForwardWorld.sha256();
        java.util.SplittableRandom r = new java.util.SplittableRandom(21);
        byte[] buf = new byte[16 << 10];
        long left = total;
        boolean skipFirst = true;
        while (left > 0) {
            int n = (int) Math.min(buf.length, left);
            r.nextBytes(buf);
            d.update(buf, skipFirst ? 1 : 0, skipFirst ? n - 1 : n);
            skipFirst = false;
            left -= n;
        }
        assertEquals(java.util.HexFormat.of().formatHex(d.digest()), rest.sha256());
        s.close();
        assertEquals(List.of(), source.failureTexts());
        assertEquals(total, w.a.stats().bytesFromPeers());
    }
}
