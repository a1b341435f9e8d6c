import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.UdpEndpoint;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bounded UDP flood for keymesh's test bed (testbed/flood.sh), run as a single-file program with
 * keymesh's jars on the class path. It sends only to the one target it is given, from many source
 * addresses of its own namespace (each bound by a socket), and stops by itself after a packet count
 * or a time, whichever comes first.
 *
 * <pre>
 * java -cp JARS UdpFlood.java KIND TARGET_HOST:PORT SOURCE_BASE SOURCES PACKETS SECONDS [TARGET_KEY NETWORK_KEY_FILE]
 *   KIND  bad-mac1    148-byte handshake initiations with random content (mac1 does not verify)
 *         valid-mac1  distinct handshake initiations whose mac1 verifies (made with the target's public
 *                     key and the network key, by a key that is not the target's peer)
 *         garbage     random datagrams of every kind: each message type with random content and
 *                     random lengths, transport data for unknown sessions, runts, non-WireGuard bytes
 *   SOURCE_BASE, SOURCES  the first source address and how many consecutive ones (already on an
 *         interface of this namespace)
 * </pre>
 * Prints one line: {@code flood KIND: sent N packets from M sources in T ms (R packets/s)}.
 */
public final class UdpFlood {
    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: UdpFlood KIND TARGET_HOST:PORT SOURCE_BASE SOURCES PACKETS SECONDS [TARGET_KEY NETWORK_KEY_FILE]");
            System.exit(2);
        }
        String kind = args[0];
        String[] hp = args[1].split(":");
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]));
        int base = toInt(InetAddress.getByName(args[2]));
        int sources = Integer.parseInt(args[3]);
        long packets = Long.parseLong(args[4]);
        long seconds = Long.parseLong(args[5]);
        SplittableRandom random = new SplittableRandom(1);

        List<byte[]> payloads = switch (kind) {
            case "bad-mac1" -> badMac1(random, 4096);
            case "valid-mac1" -> validMac1(PublicKey.fromBase64(args[6]),
                    PresharedKey.fromBase64(Files.readString(Path.of(args[7])).strip()), 512);
            case "garbage" -> garbage(random, 4096);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };

        List<DatagramChannel> channels = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            DatagramChannel c = DatagramChannel.open();
            c.bind(new InetSocketAddress(fromInt(base + i), 0));
            c.connect(target);
            channels.add(c);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L; // from the first packet: making them takes a while
        long sent = 0;
        int p = 0;
        int s = 0;
        while (sent < packets && ((sent & 1023) != 0 || System.nanoTime() < deadline)) {
            byte[] payload = payloads.get(p);
            p = p + 1 == payloads.size() ? 0 : p + 1;
            buf.clear();
            buf.put(payload).flip();
            try {
                channels.get(s).write(buf);
            } catch (IOException e) {
                // ICMP unreachable from an earlier packet, or a full buffer: keep going
            }
            s = s + 1 == sources ? 0 : s + 1;
            sent++;
        }
        long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        System.out.printf("flood %s: sent %d packets from %d sources in %d ms (%d packets/s)%n", kind, sent, sources, ms,
                sent * 1000 / ms);
        for (DatagramChannel c : channels) {
            c.close();
        }
    }

    private static List<byte[]> badMac1(SplittableRandom random, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[148];
            random.nextBytes(b);
            b[0] = 1;
            b[1] = b[2] = b[3] = 0;
            out.add(b);
        }
        return out;
    }

    /** Initiations made by a key of our own towards the target, one per virtual REKEY_TIMEOUT. */
    private static List<byte[]> validMac1(PublicKey targetKey, PresharedKey network, int n) {
        List<byte[]> out = new ArrayList<>();
        PrivateKey self = PrivateKey.generate(new SecureRandom());
        SessionEngine engine = new SessionEngine(self, new SecureRandom(), 0,
                (Endpoint to, byte[] b, int off, int len) -> out.add(java.util.Arrays.copyOfRange(b, off, off + len)),
                (Peer peer, Endpoint from, int k, byte[] payload, int off, int len) -> {});
        engine.setMembershipKey(network);
        Peer peer = engine.addPeer(targetKey, network);
        peer.setEndpoint(UdpEndpoint.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)));
        long now = 1_000_000_000L;
        for (int i = 0; i < n; i++) {
            engine.initiateHandshake(now, peer);
            now += 6_000_000_000L;
        }
        return out;
    }

    private static List<byte[]> garbage(SplittableRandom random, int n) {
        int[] lengths = {1, 3, 4, 16, 31, 32, 47, 64, 92, 148, 149, 200, 1200};
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[lengths[random.nextInt(lengths.length)]];
            random.nextBytes(b);
            if (b.length >= 4 && random.nextInt(4) != 0) {
                b[0] = (byte) (1 + random.nextInt(4)); // a WireGuard message type
                b[1] = b[2] = b[3] = 0;
            }
            out.add(b);
        }
        return out;
    }

    private static int toInt(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("IPv4 only: " + a);
        }
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }

    private static InetAddress fromInt(int v) throws IOException {
        return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(v).array());
    }
}
