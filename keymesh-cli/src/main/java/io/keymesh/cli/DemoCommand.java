package io.keymesh.cli;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.UdpSessionDriver;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh demo}: starts a small mesh of nodes in this process on loopback, each with its own
 * key and UDP port and the others as peers; every node sends datagrams to every other; then prints
 * a per-peer table and exits 0 if every datagram arrived intact.
 */
@Command(name = "demo", description = "Run a small mesh on loopback: every node sends encrypted datagrams to every other.")
final class DemoCommand implements Callable<Integer> {
    /** First byte of a demo datagram: outside the IPv4/IPv6 range of the inner demultiplexer. */
    private static final byte DEMO_MARKER = 0x01;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (2..16, default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--messages", defaultValue = "20", description = "Datagrams each node sends to each other node (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--network-key", description = "Network key (base64) shared by the demo nodes; random by default.")
    String networkKey;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (nodes < 2 || nodes > 16) {
            spec.commandLine().getErr().println("keymesh demo: --nodes must be 2..16, got " + nodes);
            return 2;
        }
        if (messages < 1 || messages > 100_000) {
            spec.commandLine().getErr().println("keymesh demo: --messages must be 1..100000, got " + messages);
            return 2;
        }
        SecureRandom random = new SecureRandom();
        PresharedKey psk;
        try {
            psk = networkKey == null ? PresharedKey.generate(random) : PresharedKey.fromBase64(networkKey);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("keymesh demo: --network-key: " + e.getMessage());
            return 2;
        }
        long expected = (long) nodes * (nodes - 1) * messages;
        CountDownLatch allArrived = new CountDownLatch((int) expected);
        AtomicLong corrupt = new AtomicLong();
        List<PrivateKey> keys = new ArrayList<>();
        List<UdpSessionDriver> drivers = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try {
            for (int i = 0; i < nodes; i++) {
                PrivateKey key = PrivateKey.generate(random);
                keys.add(key);
                drivers.add(new UdpSessionDriver(key, new InetSocketAddress(loopback, 0), new SecureRandom(),
                        (peer, payload, off, len) -> {
                            if (len > 1 && payload[off] == DEMO_MARKER) {
                                allArrived.countDown();
                            } else {
                                corrupt.incrementAndGet();
                            }
                        }));
            }
            for (int i = 0; i < nodes; i++) {
                for (int j = 0; j < nodes; j++) {
                    if (i == j) {
                        continue;
                    }
                    var peerKey = keys.get(j).publicKey();
                    var endpoint = drivers.get(j).localAddress();
                    drivers.get(i).call(e -> {
                        e.addPeer(peerKey, psk).setEndpoint(endpoint);
                        return null;
                    }).get();
                }
            }
            long start = System.nanoTime();
            for (int m = 0; m < messages; m++) {
                for (int i = 0; i < nodes; i++) {
                    int from = i;
                    int seq = m;
                    drivers.get(i).call((e, now) -> {
                        for (Peer p : e.peers()) {
                            byte[] text = ("hello " + seq + " from node " + from).getBytes(StandardCharsets.UTF_8);
                            byte[] buf = new byte[SessionEngine.SEND_HEADROOM + 1 + text.length + e.sendTailroom(1 + text.length)];
                            buf[SessionEngine.SEND_HEADROOM] = DEMO_MARKER;
                            System.arraycopy(text, 0, buf, SessionEngine.SEND_HEADROOM + 1, text.length);
                            e.send(now, p, buf, SessionEngine.SEND_HEADROOM, 1 + text.length);
                        }
                        return null;
                    }).get();
                }
            }
            boolean complete = allArrived.await(15, TimeUnit.SECONDS);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            // Let the last packets' counters settle on every loop thread before reading them.
            for (UdpSessionDriver d : drivers) {
                d.call(e -> null).get();
            }
            printTable(out, keys, drivers);
            long arrived = expected - allArrived.getCount();
            out.printf("%d nodes, %d datagrams sent, %d arrived, %d corrupt, in %d ms%n",
                    nodes, expected, arrived, corrupt.get(), elapsedMs);
            out.flush();
            return complete && corrupt.get() == 0 ? 0 : 1;
        } finally {
            for (UdpSessionDriver d : drivers) {
                d.close();
            }
            for (PrivateKey k : keys) {
                k.close();
            }
        }
    }

    private static String endpoint(InetSocketAddress a) {
        return a == null ? "-" : a.getHostString() + ":" + a.getPort();
    }

    private static void printTable(PrintWriter out, List<PrivateKey> keys, List<UdpSessionDriver> drivers) throws Exception {
        out.printf("%-6s %-14s %-22s %12s %8s %8s %9s %9s %10s%n",
                "node", "peer", "endpoint", "handshake", "tx pkts", "rx pkts", "tx bytes", "rx bytes", "node drops");
        for (int i = 0; i < drivers.size(); i++) {
            String node = "n" + i;
            List<String> rows = drivers.get(i).call((e, now) -> {
                List<String> r = new ArrayList<>();
                for (Peer p : e.peers()) {
                    long hs = p.lastHandshakeNanos();
                    String age = hs < 0 ? "never" : ((now - hs) / 1_000_000) + " ms ago";
                    r.add(String.format("%-6s %-14s %-22s %12s %8d %8d %9d %9d %10d",
                            node, p.publicKey().toBase64().substring(0, 10) + "…", endpoint(p.endpoint()), age,
                            p.txPackets(), p.rxPackets(), p.txBytes(), p.rxBytes(), e.droppedTotal()));
                }
                return r;
            }).get();
            rows.forEach(out::println);
        }
    }
}
