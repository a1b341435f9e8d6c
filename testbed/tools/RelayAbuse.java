import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.CircuitReasonFrame;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.RelayDataFrame;
import io.keymesh.wire.RelayOpenFrame;
import io.keymesh.wire.RelayOpenedFrame;
import io.keymesh.wire.RelayReason;
import io.keymesh.wire.SeekFrame;
import io.keymesh.wire.TransportData;
import io.keymesh.wire.VarInt;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A member gone rogue, for keymesh's test bed (testbed/relay-abuse.sh), run as a single-file
 * program with keymesh's jars on the class path. It holds the network key, completes a real
 * WireGuard handshake with one relay R (which admits it as a member), and then sends overlay frames
 * inside that session as fast as it can: circuit openings, relayed data, seeks or malformed frames.
 * It sends only to R's address and port, and stops by itself after a frame count or a time,
 * whichever comes first. Everything R sends back is decrypted and counted by frame type (and
 * RELAY_REFUSED by reason).
 *
 * <pre>
 * java -cp JARS RelayAbuse.java keys DIR NAME...
 *     writes DIR/NAME.key and DIR/NAME.pub for each NAME, and DIR/network.key
 * java -cp JARS RelayAbuse.java MODE BIND_HOST:PORT RELAY_HOST:PORT RELAY_KEY NETWORK_KEY_FILE KEY_FILE SECONDS FRAMES [ARGS]
 *   circuits TARGET...  RELAY_OPEN for routes [R, target], the targets in turn, every third a fresh key
 *                       that exists nowhere, as fast as R answers them (at most 1,024 unanswered at
 *                       once: more would only overflow R's socket, which testbed/flood.sh covers);
 *                       circuits R opens are held (never used) until the end, then closed
 *   data N TARGET...    opens N circuits to the targets in turn, then pushes RELAY_DATA on them in turn
 *                       (well-formed transport-data messages of random content, 256 bytes), then
 *                       closes them
 *   seeks TARGET...     SEEK frames, each with a new origin key and seek id, naming this member as its
 *                       last hop (one or two passed keys), for the targets in turn and every third a
 *                       key that exists nowhere; circuits R splices back to us are never answered
 *   garbage             malformed relay and seek frames, frames of unknown types, truncated payloads,
 *                       and well-formed RELAY_DATA, RELAY_OPENED, RELAY_REFUSED and RELAY_CLOSE for
 *                       circuits that do not exist
 * </pre>
 * Prints {@code MODE: up with R after T ms}, then (circuits) {@code circuits: at capacity after N
 * opens, C circuits open} once R first refuses one with CAPACITY, (data) {@code data: N circuits open},
 * and at the end one line {@code MODE: sent F frames in P packets in T ms (F/s frames/s, P/s
 * packets/s, B bytes)}, and one {@code MODE: from R: ...} with what R sent back. Exit status 0, or
 * 1 if no session with R came up within 15 s.
 */
public final class RelayAbuse {
    /** Mesh-frame bytes per packet: what a 1,420-byte MTU leaves. */
    private static final int MAX_PAYLOAD = 1360;
    private static final long SECOND = 1_000_000_000L;

    private final SplittableRandom random = new SplittableRandom(System.nanoTime());
    private final DatagramChannel channel;
    private final UdpEndpoint relayEndpoint;
    private final SessionEngine engine;
    private final Peer relay;
    private final PublicKey relayKey;
    private final PublicKey self;
    private final byte[] rx = new byte[65536];
    private final ByteBuffer rxBuf = ByteBuffer.wrap(rx);
    private final ByteBuffer txBuf = ByteBuffer.allocateDirect(65536);
    private final byte[] packet = new byte[SessionEngine.SEND_HEADROOM + MAX_PAYLOAD + 64];
    private int fill;
    private boolean up;

    private long framesSent;
    private long packetsSent;
    private long bytesSent;
    /** What R sent: packets (decrypted payloads, keepalives included), frames by type, refusals by reason. */
    private long packetsFromRelay;
    private final long[] framesFromRelay = new long[256];
    private final long[] refusedByReason = new long[16];
    private final long[] closedByReason = new long[16];
    /** Every circuit we opened that R has not refused or closed: true once R answered OPENED. */
    private final Map<Long, Boolean> circuitOpen = new HashMap<>();
    /** Openings R has not answered yet (the false entries of {@link #circuitOpen}). */
    private int unanswered;
    /** Openings given up waiting for (R's socket lost them, or lost its answer): closed at the end in case R holds them. */
    private final Set<Long> lost = new HashSet<>();
    private long opened;
    private int openNow;
    private int openMax;
    /** Frames sent when R first refused an opening for capacity, -1 before; printed once, then -2. */
    private long opensAtCapacity = -1;

    private final RelayOpenedFrame openedIn = new RelayOpenedFrame();
    private final CircuitReasonFrame reasonIn = new CircuitReasonFrame();

    private RelayAbuse(InetSocketAddress bind, InetSocketAddress relayAddress, PublicKey relayKey, PresharedKey network,
            PrivateKey key) throws IOException {
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(bind);
        channel.connect(relayAddress);
        channel.configureBlocking(false);
        this.relayEndpoint = UdpEndpoint.of(relayAddress);
        this.relayKey = relayKey;
        this.self = key.publicKey();
        long wallClockOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        this.engine = new SessionEngine(key, new SecureRandom(), wallClockOffset, this::transmit, new SessionEvents() {
            @Override
            public void deliver(Peer peer, Endpoint from, int kind, byte[] payload, int off, int len) {
                received(payload, off, len);
            }

            @Override
            public void keepalive(Peer peer) {
                packetsFromRelay++;
            }

            @Override
            public void handshakeCompleted(Peer peer) {
                up = true;
            }
        });
        engine.setMembershipKey(network);
        this.relay = engine.addPeer(relayKey, network);
        relay.setEndpoint(relayEndpoint);
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("keys")) {
            keys(Path.of(args[1]), List.of(args).subList(2, args.length));
            return;
        }
        if (args.length < 8) {
            System.err.println("usage: RelayAbuse keys DIR NAME... | RelayAbuse MODE BIND_HOST:PORT RELAY_HOST:PORT RELAY_KEY"
                    + " NETWORK_KEY_FILE KEY_FILE SECONDS FRAMES [ARGS]");
            System.exit(2);
        }
        String mode = args[0];
        RelayAbuse m = new RelayAbuse(hostPort(args[1]), hostPort(args[2]), PublicKey.fromBase64(args[3]),
                PresharedKey.fromBase64(Files.readString(Path.of(args[4])).strip()),
                PrivateKey.fromBase64(Files.readString(Path.of(args[5])).strip()));
        long seconds = Long.parseLong(args[6]);
        long frames = Long.parseLong(args[7]);
        List<String> rest = List.of(args).subList(8, args.length);
        if (!m.handshake(mode)) {
            System.out.println(mode + ": no session with R within 15 s");
            System.exit(1);
        }
        long start = System.nanoTime();
        long deadline = start + seconds * SECOND;
        switch (mode) {
            case "circuits" -> m.circuits(keys(rest), frames, deadline);
            case "data" -> m.data(Integer.parseInt(rest.getFirst()), keys(rest.subList(1, rest.size())), frames, deadline);
            case "seeks" -> m.seeks(keys(rest), frames, deadline);
            case "garbage" -> m.garbage(frames, deadline);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        System.out.printf(Locale.ROOT, "%s: sent %d frames in %d packets in %d ms (%d frames/s, %d packets/s, %d bytes)%n",
                mode, m.framesSent, m.packetsSent, ms, m.framesSent * 1000 / ms, m.packetsSent * 1000 / ms, m.bytesSent);
        m.listen(SECOND); // R's late answers
        System.out.println(mode + ": from R: " + m.fromRelay());
        m.channel.close();
    }

    // ------------------------------------------------------------------ the session with R

    private boolean handshake(String mode) throws IOException {
        long start = System.nanoTime();
        engine.initiateHandshake(start, relay);
        while (!up && System.nanoTime() - start < 15 * SECOND) {
            listen(SECOND / 100);
        }
        if (up) {
            System.out.printf("%s: up with R after %d ms%n", mode, (System.nanoTime() - start) / 1_000_000);
        }
        return up;
    }

    private void transmit(Endpoint to, byte[] b, int off, int len) {
        txBuf.clear();
        txBuf.put(b, off, len).flip();
        try {
            while (channel.write(txBuf) == 0) { // the socket's buffer is full: it drains in microseconds
                Thread.onSpinWait(); // (not receiving meanwhile: the engine might transmit from inside)
            }
        } catch (IOException e) {
            // ICMP unreachable from an earlier packet: keep going
        }
    }

    /** Takes in what arrived and runs the session's timers. */
    private void poll() throws IOException {
        receiveOnly();
        long now = System.nanoTime();
        if (engine.nextDeadline() <= now) {
            engine.onTimer(now);
        }
    }

    private void receiveOnly() {
        try {
            for (int i = 0; i < 4096; i++) {
                rxBuf.clear();
                if (channel.receive(rxBuf) == null) {
                    return;
                }
                engine.receive(System.nanoTime(), rx, 0, rxBuf.position(), relayEndpoint);
            }
        } catch (IOException e) {
            // ICMP unreachable: nothing to read
        }
    }

    private void listen(long nanos) throws IOException {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            poll();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A payload from R: its frames, counted; answers to our circuits noted. */
    private void received(byte[] b, int off, int len) {
        packetsFromRelay++;
        MeshFrame.forEach(b, off, len, (type, buf, bodyOff, bodyLen) -> {
            framesFromRelay[type]++;
            switch (type) {
                case MeshFrame.RELAY_OPENED -> {
                    if (!openedIn.decode(buf, bodyOff, bodyLen)) {
                        return;
                    }
                    long id = openedIn.circuit();
                    Boolean was = circuitOpen.get(id);
                    if ((was != null && !was) || lost.remove(id)) {
                        if (was != null) {
                            unanswered--;
                        }
                        circuitOpen.put(id, true);
                        opened++;
                        openMax = Math.max(openMax, ++openNow);
                    }
                }
                case MeshFrame.RELAY_REFUSED, MeshFrame.RELAY_CLOSE -> {
                    if (!reasonIn.decode(buf, bodyOff, bodyLen)) {
                        return;
                    }
                    int reason = (int) Math.min(15, reasonIn.reason());
                    (type == MeshFrame.RELAY_REFUSED ? refusedByReason : closedByReason)[reason]++;
                    Boolean wasOpen = circuitOpen.remove(reasonIn.circuit());
                    lost.remove(reasonIn.circuit());
                    if (wasOpen != null && wasOpen) {
                        openNow--;
                    } else if (wasOpen != null) {
                        unanswered--;
                    }
                    if (type == MeshFrame.RELAY_REFUSED && reason == RelayReason.CAPACITY && opensAtCapacity == -1) {
                        opensAtCapacity = framesSent;
                    }
                }
                default -> {}
            }
        });
    }

    private String fromRelay() {
        StringBuilder s = new StringBuilder(packetsFromRelay + " packets;");
        String[] names = new String[256];
        names[MeshFrame.RELAY_OPEN] = "RELAY_OPEN";
        names[MeshFrame.RELAY_OPENED] = "RELAY_OPENED";
        names[MeshFrame.RELAY_REFUSED] = "RELAY_REFUSED";
        names[MeshFrame.RELAY_DATA] = "RELAY_DATA";
        names[MeshFrame.RELAY_CLOSE] = "RELAY_CLOSE";
        names[MeshFrame.SEEK] = "SEEK";
        names[MeshFrame.REACH] = "REACH";
        names[MeshFrame.PROBE] = "PROBE";
        names[MeshFrame.PROBE_ACK] = "PROBE_ACK";
        names[MeshFrame.CANDIDATES] = "CANDIDATES";
        names[MeshFrame.OBSERVED_ADDRESS] = "OBSERVED_ADDRESS";
        for (int t = 0; t < 256; t++) {
            if (framesFromRelay[t] > 0) {
                s.append(' ').append(names[t] != null ? names[t] : String.format("0x%02x", t)).append('=').append(framesFromRelay[t]);
            }
        }
        s.append("; refused by reason:");
        appendReasons(s, refusedByReason);
        s.append("; closed by reason:");
        appendReasons(s, closedByReason);
        s.append(String.format("; circuits opened %d, open at most %d at once, openings never answered %d", opened, openMax,
                lostOpens));
        return s.toString();
    }

    private static void appendReasons(StringBuilder s, long[] byReason) {
        String[] names = {"0", "disabled", "no-route", "capacity", "rate-limited", "route-too-long", "loop", "not-allowed",
                "closed-by-peer", "idle", "target-gone", "11", "12", "13", "14", "other"};
        boolean any = false;
        for (int r = 0; r < byReason.length; r++) {
            if (byReason[r] > 0) {
                s.append(' ').append(names[r]).append('=').append(byReason[r]);
                any = true;
            }
        }
        if (!any) {
            s.append(" none");
        }
    }

    // ------------------------------------------------------------------ sending frames

    /** Room for a frame of {@code len} bytes in the packet being filled, sending it first if full; where it goes. */
    private int room(int len) throws IOException {
        if (fill + len > MAX_PAYLOAD) {
            flush();
        }
        return SessionEngine.SEND_HEADROOM + fill;
    }

    private void added(int len) {
        fill += len;
        framesSent++;
    }

    private void flush() throws IOException {
        if (fill == 0) {
            return;
        }
        engine.send(System.nanoTime(), relay, packet, SessionEngine.SEND_HEADROOM, fill);
        packetsSent++;
        bytesSent += fill;
        fill = 0;
        if ((packetsSent & 15) == 0) {
            poll();
        }
    }

    private boolean more(long frames, long deadline) {
        return framesSent < frames && ((framesSent & 63) != 0 || System.nanoTime() < deadline);
    }

    private byte[] randomKey() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        return k;
    }

    private long circuitIdBase() {
        return (1L << 32) + random.nextLong(1L << 40); // fresh ids each run: a run's circuits are not an earlier run's
    }

    private void open(long id, byte[] target) throws IOException {
        int p = room(RelayOpenFrame.frameLength(id, 2));
        added(RelayOpenFrame.write(packet, p, id, relayKey.toBytes(), target));
        circuitOpen.put(id, false);
        unanswered++;
    }

    /**
     * Waits while {@link #WINDOW} openings are unanswered; after {@link #STALL_NANOS} without an
     * answer the unanswered ones count as lost (and are closed at the end, in case R holds them).
     */
    private void window() throws IOException {
        if (unanswered < WINDOW) {
            return;
        }
        flush();
        long since = System.nanoTime();
        int before = unanswered;
        while (unanswered >= WINDOW / 2) {
            poll();
            if (unanswered < before) {
                before = unanswered;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > STALL_NANOS) {
                for (Map.Entry<Long, Boolean> e : List.copyOf(circuitOpen.entrySet())) {
                    if (!e.getValue()) {
                        circuitOpen.remove(e.getKey());
                        lost.add(e.getKey());
                        lostOpens++;
                    }
                }
                unanswered = 0;
            }
        }
    }

    /** Openings unanswered at once, at most: more would only overflow R's socket (a plain UDP flood, flood.sh). */
    private static final int WINDOW = 1024;
    private static final long STALL_NANOS = 300_000_000L;
    private long lostOpens;

    /**
     * Closes every circuit we opened that R has not refused or closed: once R has taken in what the
     * flood left in its socket, a packet a millisecond, twice (a close R lost would leave the
     * circuit to its idle timeout; R ignores a close for a circuit it no longer joins).
     */
    private void closeAll() throws IOException {
        flush();
        listen(SECOND / 2);
        List<Long> ids = new ArrayList<>(circuitOpen.keySet());
        ids.addAll(lost);
        for (int round = 0; round < 2; round++) {
            for (long id : ids) {
                if (fill + CircuitReasonFrame.frameLength(id, RelayReason.CLOSED_BY_PEER) > MAX_PAYLOAD) {
                    flush();
                    listen(1_000_000L);
                }
                int p = room(CircuitReasonFrame.frameLength(id, RelayReason.CLOSED_BY_PEER));
                added(CircuitReasonFrame.write(packet, p, MeshFrame.RELAY_CLOSE, id, RelayReason.CLOSED_BY_PEER));
            }
            flush();
            listen(SECOND / 5);
        }
        circuitOpen.clear();
        lost.clear();
        unanswered = 0;
        openNow = 0;
    }

    // ------------------------------------------------------------------ modes

    private void circuits(List<PublicKey> targets, long frames, long deadline) throws IOException {
        long id = circuitIdBase();
        int i = 0;
        while (more(frames, deadline)) {
            byte[] target = i % 3 == 2 ? randomKey() : targets.get(i % 3 % targets.size()).toBytes();
            window();
            open(id++, target);
            i++;
            if (opensAtCapacity >= 0) {
                System.out.printf("circuits: at capacity after %d opens, %d circuits open%n", opensAtCapacity, openNow);
                System.out.flush();
                opensAtCapacity = -2;
            }
        }
        flush();
        listen(SECOND / 2);
        System.out.printf("circuits: %d circuits open at the end, %d at most%n", openNow, openMax);
        System.out.flush();
        closeAll();
    }

    private void data(int n, List<PublicKey> targets, long frames, long deadline) throws IOException {
        long base = circuitIdBase();
        for (int i = 0; i < n; i++) {
            open(base + i, targets.get(i % targets.size()).toBytes());
        }
        flush();
        long wait = System.nanoTime() + 5 * SECOND;
        while (openNow < n && System.nanoTime() < wait) {
            poll();
        }
        long[] ids = circuitOpen.entrySet().stream().filter(Map.Entry::getValue).mapToLong(Map.Entry::getKey).toArray();
        System.out.printf("data: %d circuits open%n", ids.length);
        System.out.flush();
        if (ids.length == 0) {
            return;
        }
        byte[][] inner = new byte[64][];
        for (int i = 0; i < inner.length; i++) {
            inner[i] = new byte[256];
            random.nextBytes(inner[i]);
            inner[i][0] = MessageType.TRANSPORT_DATA;
            inner[i][1] = inner[i][2] = inner[i][3] = 0;
        }
        long start = framesSent;
        int k = 0;
        while (more(frames + start, deadline)) {
            long id = ids[k % ids.length];
            byte[] m = inner[k & 63];
            int p = room(RelayDataFrame.frameLength(id, m.length));
            added(RelayDataFrame.write(packet, p, id, m, 0, m.length));
            k++;
        }
        flush();
        closeAll();
    }

    private void seeks(List<PublicKey> targets, long frames, long deadline) throws IOException {
        byte[] selfKey = self.toBytes();
        byte[] passed = new byte[2 * SeekFrame.KEY_LENGTH];
        byte[] initiation = new byte[HandshakeInitiation.LENGTH];
        int i = 0;
        while (more(frames, deadline)) {
            byte[] target = i % 3 == 2 ? randomKey() : targets.get(i % 3 % targets.size()).toBytes();
            int passedCount = 1 + (i & 1); // [us] or [someone, us]: the last hop must be the sender
            random.nextBytes(passed);
            System.arraycopy(selfKey, 0, passed, (passedCount - 1) * SeekFrame.KEY_LENGTH, SeekFrame.KEY_LENGTH);
            int hops = 1 + random.nextInt(SeekFrame.MAX_HOPS - passedCount);
            random.nextBytes(initiation);
            initiation[0] = MessageType.HANDSHAKE_INITIATION;
            initiation[1] = initiation[2] = initiation[3] = 0;
            int p = room(SeekFrame.frameLength(passedCount));
            added(SeekFrame.write(packet, p, random.nextLong(), hops, randomKey(), target, passed, 0, passedCount,
                    initiation, 0));
            i++;
        }
        flush();
    }

    /** One malformed or stray frame after another, several to a packet, some packets cut short. */
    private void garbage(long frames, long deadline) throws IOException {
        byte[] body = new byte[400];
        int i = 0;
        while (more(frames, deadline)) {
            random.nextBytes(body);
            int kind = i % 16;
            int len;
            int type;
            switch (kind) {
                case 0 -> { // RELAY_OPEN: route not a whole number of keys
                    type = MeshFrame.RELAY_OPEN;
                    len = VarInt.write(body, 0, random.nextLong(1L << 30)) + 1 + random.nextInt(31) + 32 * random.nextInt(3);
                }
                case 1 -> { // RELAY_OPEN: five keys
                    type = MeshFrame.RELAY_OPEN;
                    len = VarInt.write(body, 0, random.nextLong(1L << 30)) + 5 * 32;
                }
                case 2 -> { // RELAY_OPENED or RELAY_REFUSED: empty, or a varint cut short
                    type = MeshFrame.RELAY_OPENED + random.nextInt(2) * (MeshFrame.RELAY_REFUSED - MeshFrame.RELAY_OPENED);
                    body[0] = (byte) 0xc0;
                    len = random.nextInt(2) * (1 + random.nextInt(6));
                }
                case 3 -> { // RELAY_CLOSE with three varints
                    type = MeshFrame.RELAY_CLOSE;
                    len = VarInt.write(body, 0, 7);
                    len += VarInt.write(body, len, 1);
                    len += VarInt.write(body, len, 1);
                }
                case 4 -> { // RELAY_DATA: a circuit id and nothing after it
                    type = MeshFrame.RELAY_DATA;
                    len = VarInt.write(body, 0, random.nextLong(1L << 62));
                }
                case 5, 6 -> { // SEEK of random bytes and length
                    type = MeshFrame.SEEK;
                    len = random.nextInt(body.length);
                }
                case 7 -> { // SEEK that names another member as its last hop
                    type = MeshFrame.SEEK;
                    byte[] init = initiation();
                    int n = SeekFrame.write(body, 0, random.nextLong(), 2, randomKey(), randomKey(), randomKey(), 0, 1, init, 0);
                    int p = room(n);
                    System.arraycopy(body, 0, packet, p, n);
                    added(n);
                    i++;
                    continue;
                }
                case 8 -> { // SEEK with hops left 0, or an initiation that is a response's type
                    type = MeshFrame.SEEK;
                    byte[] init = initiation();
                    int n = SeekFrame.write(body, 0, random.nextLong(), 1, randomKey(), randomKey(), self.toBytes(), 0, 1, init, 0);
                    int h = 1 + VarInt.encodedLength(body[1]) + 8; // hops left: after the frame header and the seek id
                    if (random.nextBoolean()) {
                        body[h] = 0;
                    } else {
                        body[n - HandshakeInitiation.LENGTH] = MessageType.HANDSHAKE_RESPONSE;
                    }
                    int p = room(n);
                    System.arraycopy(body, 0, packet, p, n);
                    added(n);
                    i++;
                    continue;
                }
                case 9 -> { // a frame of a type no one defined
                    int[] unknown = {0x55, 0x56, 0x57, 0x5e, 0x5f, 0x70, 0x7f, 0x80, 0xa5, 0xfe, 0xff};
                    type = unknown[random.nextInt(unknown.length)];
                    len = random.nextInt(200);
                }
                case 10, 11 -> { // RELAY_DATA on a circuit that does not exist (R may answer RELAY_CLOSE, 10 a second at most)
                    type = MeshFrame.RELAY_DATA;
                    len = VarInt.write(body, 0, random.nextLong(1L << 62));
                    int inner = TransportData.MIN_LENGTH + random.nextInt(200);
                    body[len] = MessageType.TRANSPORT_DATA;
                    body[len + 1] = body[len + 2] = body[len + 3] = 0;
                    len += inner;
                }
                case 12 -> { // RELAY_OPENED for a circuit that does not exist
                    type = MeshFrame.RELAY_OPENED;
                    int n = RelayOpenedFrame.write(body, 0, random.nextLong(1L << 62), 1 + random.nextInt(65535));
                    int p = room(n);
                    System.arraycopy(body, 0, packet, p, n);
                    added(n);
                    i++;
                    continue;
                }
                case 13, 14 -> { // RELAY_REFUSED or RELAY_CLOSE for a circuit that does not exist
                    int t = kind == 13 ? MeshFrame.RELAY_REFUSED : MeshFrame.RELAY_CLOSE;
                    int n = CircuitReasonFrame.write(body, 0, t, random.nextLong(1L << 62), random.nextInt(300));
                    int p = room(n);
                    System.arraycopy(body, 0, packet, p, n);
                    added(n);
                    i++;
                    continue;
                }
                default -> { // a payload cut short: a frame whose length runs past its end
                    type = MeshFrame.RELAY_OPEN + random.nextInt(5);
                    int p = room(64);
                    packet[p] = (byte) type;
                    int h = VarInt.write(packet, p + 1, MAX_PAYLOAD + random.nextInt(1000));
                    fill += 1 + h;
                    framesSent++;
                    flush(); // nothing may follow it
                    i++;
                    continue;
                }
            }
            int p = room(MeshFrame.frameLength(len));
            int at = MeshFrame.writeHeader(packet, p, type, len);
            System.arraycopy(body, 0, packet, at, len);
            added(at - p + len);
            i++;
        }
        flush();
    }

    private byte[] initiation() {
        byte[] init = new byte[HandshakeInitiation.LENGTH];
        random.nextBytes(init);
        init[0] = MessageType.HANDSHAKE_INITIATION;
        init[1] = init[2] = init[3] = 0;
        return init;
    }

    // ------------------------------------------------------------------ set-up

    private static void keys(Path dir, List<String> names) throws IOException {
        SecureRandom random = new SecureRandom();
        var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        for (String name : names) {
            try (PrivateKey k = PrivateKey.generate(random)) {
                Path key = dir.resolve(name + ".key");
                Files.deleteIfExists(key);
                Files.writeString(Files.createFile(key, ownerOnly), k.toBase64() + "\n");
                Files.writeString(dir.resolve(name + ".pub"), k.publicKey().toBase64() + "\n");
            }
        }
        Path network = dir.resolve("network.key");
        Files.deleteIfExists(network);
        Files.writeString(Files.createFile(network, ownerOnly), PresharedKey.generate(random).toBase64() + "\n");
    }

    private static List<PublicKey> keys(List<String> base64) {
        List<PublicKey> out = new ArrayList<>();
        for (String k : base64) {
            out.add(PublicKey.fromBase64(k));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no target keys");
        }
        return out;
    }

    private static InetSocketAddress hostPort(String s) throws IOException {
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(s.substring(0, colon)), Integer.parseInt(s.substring(colon + 1)));
    }
}
