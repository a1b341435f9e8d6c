package io.keymesh.overlay;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.MeshFrame;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Test harness: overlays of several nodes on a virtual clock, joined by links that carry frames
 * with a fixed one-way delay. The session layer is left out: a "message" on a circuit or a direct
 * path is a payload of frames, handed to the receiving overlay as if its session had decrypted it.
 * Links can be cut silently (a node dies, a NAT drops). A payload on a direct path goes to the node
 * whose {@link #address} it is sent to, if the two have a link or a direct route
 * ({@link #openDirect}: what a punched pair of NATs gives).
 */
final class OverlayWorld {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
    static final long DELAY = 10 * MS;
    /** A WireGuard transport header's length: what a message on a circuit starts with. */
    static final int HEADER = 16;

    /** One node: key, overlay, and what its host was asked. */
    final class Node {
        final String name;
        final PublicKey key;
        final Overlay overlay;
        final List<String> received = new ArrayList<>();
        final Map<PublicKey, Endpoint> using = new HashMap<>();
        final Map<PublicKey, Long> sent = new HashMap<>();
        final List<Long> switchTimes = new ArrayList<>();

        Node(String name, PublicKey key, RelayConfig relay) {
            this.name = name;
            this.key = key;
            this.overlay = new Overlay(key, relay, DiscoveryConfig.DEFAULT, 64, new Host(this), new Links(this),
                    random.nextLong());
        }

        /** Sends the payload {@code text} to {@code peer} on the path in use; false if there is none. */
        boolean send(PublicKey peer, String text) {
            sent.merge(peer, 1L, Long::sum);
            Endpoint e = using.get(peer);
            if (e == null) {
                return false;
            }
            byte[] payload = text.getBytes();
            byte[] frame = new byte[payload.length + 3];
            int p = MeshFrame.writeHeader(frame, 0, MeshFrame.DATAGRAM, payload.length);
            System.arraycopy(payload, 0, frame, p, payload.length);
            carry(this, peer, e, frame, 0, p + payload.length);
            return true;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private record Delivery(long at, long seq, Runnable what) {}

    final SplittableRandom random = new SplittableRandom(7);
    final Map<PublicKey, Node> nodes = new HashMap<>();
    /** Links as "a|b" with a's name sorting first. */
    private final Set<String> up = new HashSet<>();
    private final Set<String> dead = new HashSet<>();
    private final Set<String> direct = new HashSet<>();
    private final PriorityQueue<Delivery> queue = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.seq, y.seq));
    private long seq;
    long now = 1_000 * SECOND;

    Node node(String name) {
        return node(name, RelayConfig.DEFAULT);
    }

    Node node(String name, RelayConfig relay) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        Node n = new Node(name, PrivateKey.of(k).publicKey(), relay);
        nodes.put(n.key, n);
        return n;
    }

    private static String link(Node a, Node b) {
        return a.name.compareTo(b.name) < 0 ? a.name + "|" + b.name : b.name + "|" + a.name;
    }

    /** A session between {@code a} and {@code b} is up (both overlays are told). */
    void connect(Node a, Node b) {
        up.add(link(a, b));
        a.overlay.linkUp(now, b.key);
        b.overlay.linkUp(now, a.key);
    }

    /** The link silently stops carrying anything (the sessions do not know). */
    void cut(Node a, Node b) {
        dead.add(link(a, b));
    }

    /** Every link of {@code n} stops carrying anything: the node died. */
    void kill(Node n) {
        for (Node o : nodes.values()) {
            if (o != n) {
                cut(n, o);
            }
        }
    }

    /** Direct packets between {@code a} and {@code b} get through (no session between them is implied). */
    void openDirect(Node a, Node b) {
        direct.add(link(a, b));
    }

    /** Direct packets between {@code a} and {@code b} are dropped again. */
    void closeDirect(Node a, Node b) {
        direct.remove(link(a, b));
    }

    boolean connected(Node a, Node b) {
        return up.contains(link(a, b));
    }

    private boolean carries(Node a, Node b) {
        return connected(a, b) && !dead.contains(link(a, b));
    }

    /** Carries a payload of frames from {@code from} for {@code peer} over {@code path}. */
    private void carry(Node from, PublicKey peer, Endpoint path, byte[] buf, int off, int len) {
        if (path instanceof RelayedEndpoint r) {
            // A WireGuard transport header (relays pass nothing else), then the sender's key, which
            // stands in for the session that tells the far end who sent it.
            byte[] message = new byte[HEADER + 32 + len];
            message[0] = 4;
            System.arraycopy(from.key.toBytes(), 0, message, HEADER, 32);
            System.arraycopy(buf, off, message, HEADER + 32, len);
            from.overlay.circuits().send(now, r, message, 0, message.length);
        } else {
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            Node to = nodes.get(peer);
            boolean reaches = address(to).equals(UdpEndpoint.addressOf(path));
            if (reaches && (carries(from, to) || (direct.contains(link(from, to)) && !dead.contains(link(from, to))))) {
                Endpoint seen = new UdpEndpoint(address(from));
                at(now + DELAY, () -> payload(to, from.key, seen, copy));
            }
        }
    }

    static InetSocketAddress address(Node n) {
        return new InetSocketAddress("10.9.0." + (1 + Math.floorMod(n.name.hashCode(), 200)), 51820);
    }

    /** A payload of frames arrives at {@code to} from {@code peer}, over {@code from}. */
    private void payload(Node to, PublicKey peer, Endpoint from, byte[] p) {
        PeerPaths pp = to.overlay.paths(peer);
        if (pp == null || pp.isRoaming()) {
            // WireGuard's roaming, which the node applies to such peers, unless a relayed path
            // takes the peer under the overlay's policy (the overlay then picks its endpoint).
            if (pp == null || from.equals(to.using.get(peer)) || !to.overlay.roamed(now, peer, from)) {
                to.using.put(peer, from);
            }
        } else {
            to.overlay.authenticated(now, peer, from);
        }
        boolean[] data = new boolean[1];
        MeshFrame.forEach(p, 0, p.length, (type, b, bodyOff, bodyLen) -> {
            if (Overlay.isOverlayFrame(type)) {
                to.overlay.onFrame(now, peer, from, type, b, bodyOff, bodyLen);
            } else if (type == MeshFrame.DATAGRAM) {
                data[0] = true;
                to.received.add(nodes.get(peer).name + ": " + new String(b, bodyOff, bodyLen) + " via " + describe(from));
            }
        });
        if (data[0]) {
            to.overlay.dataFrom(now, peer, from);
        }
    }

    private String describe(Endpoint e) {
        return e instanceof RelayedEndpoint r ? nodes.get(r.via()).name : "direct";
    }

    private void at(long t, Runnable r) {
        queue.add(new Delivery(t, seq++, r));
    }

    /** Runs deliveries and overlay timers until {@code until}. */
    void runUntil(long until) {
        while (true) {
            long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
            Node timed = null;
            for (Node n : nodes.values()) {
                long t = n.overlay.nextTimeout(now);
                if (t < next) {
                    next = t;
                    timed = n;
                }
            }
            if (next > until) {
                now = until;
                return;
            }
            now = Math.max(now, next);
            if (timed != null) {
                timed.overlay.onTimeout(now);
            } else {
                queue.poll().what.run();
            }
        }
    }

    void runFor(long nanos) {
        runUntil(now + nanos);
    }

    /** A node's host: messages out of circuits are payloads for its overlay; probes go on the named path. */
    private final class Host implements Overlay.Host {
        private final Node self;

        Host(Node self) {
            this.self = self;
        }

        @Override
        public void receive(RelayedEndpoint from, byte[] buf, int off, int len) {
            PublicKey peer = PublicKey.of(Arrays.copyOfRange(buf, off + HEADER, off + HEADER + 32));
            payload(self, peer, from, Arrays.copyOfRange(buf, off + HEADER + 32, off + len));
        }

        @Override
        public boolean sendVia(PublicKey peer, Endpoint path, byte[] frame, int off, int len) {
            carry(self, peer, path, frame, off, len);
            return true;
        }

        @Override
        public void use(PublicKey peer, Endpoint endpoint, Endpoint previous) {
            self.using.put(peer, endpoint);
            self.switchTimes.add(now);
        }

        @Override
        public long packetsSent(PublicKey peer) {
            return self.sent.getOrDefault(peer, 0L);
        }
    }

    /** A node's links: frames go to the link's node after {@link #DELAY}, if the link carries. */
    private final class Links extends FrameLinks {
        private final Node self;

        Links(Node self) {
            super(16);
            this.self = self;
        }

        @Override
        public boolean isConnected(PublicKey key) {
            Node other = nodes.get(key);
            return other != null && connected(self, other);
        }

        @Override
        public int maxInnerMessage(PublicKey key) {
            return 1400;
        }

        @Override
        public List<PublicKey> connectedMembers() {
            List<PublicKey> out = new ArrayList<>();
            for (Node o : nodes.values()) {
                if (o != self && connected(self, o)) {
                    out.add(o.key);
                }
            }
            out.sort(java.util.Comparator.comparing(PublicKey::toBase64));
            return out;
        }

        @Override
        protected void sendFrame(PublicKey link, byte[] buf, int off, int len) {
            Node to = nodes.get(link);
            if (to == null || !carries(self, to)) {
                return;
            }
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            Endpoint seen = new UdpEndpoint(address(self));
            at(now + DELAY, () -> MeshFrame.forEach(copy, 0, copy.length, (type, b, bodyOff, bodyLen) ->
                    to.overlay.onFrame(now, self.key, seen, type, b, bodyOff, bodyLen)));
        }
    }
}
