package io.keymesh.cli;

import io.keymesh.config.Durations;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.UdpIo;
import io.keymesh.node.EngineLoop;
import io.keymesh.session.Endpoint;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.ProtocolConstants;
import io.keymesh.session.SessionEngine;
import io.keymesh.wire.MessageType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh wgping}: pings an address inside a stock WireGuard peer's tunnel over one keymesh
 * session, and answers the peer's pings; an interop diagnostic (testbed/wg-interop.sh runs it
 * against wireguard-go).
 *
 * <p>It binds {@code --listen-port}, adds the peer ({@code --peer-public-key}, the pre-shared key of
 * {@code --preshared-key} or none) at {@code --endpoint}, and sends {@code --count} ICMP echo
 * requests from {@code --address} to {@code --target}, {@code --interval} apart, each an IPv4
 * packet with valid header and ICMP checksums handed to {@link SessionEngine#send}. It prints one
 * line per reply with its round-trip time, and answers every echo request addressed to
 * {@code --address} with an echo reply. With {@code --initiate} (the default) the first request
 * starts the handshake. With {@code --await} it never initiates: it waits for the peer's handshake,
 * then sends its requests on that session, and after the last reply it keeps answering the peer
 * for {@value #LINGER_MILLIS} ms after the later of that reply and the last request it answered.
 * {@code --rekey-every D} asks the engine for a new handshake every D; the engine
 * sends at most one initiation per {@link ProtocolConstants#REKEY_TIMEOUT} (5 s), so a refused
 * attempt is retried every {@value #REKEY_RETRY_MILLIS} ms and the next one is due S seconds
 * after the one that went out. {@code --under-load} makes the engine demand mac2 (cookies) from
 * every handshake. The run ends when every request is answered (plus the linger in
 * {@code --await}) or after {@code --timeout}. Times are durations as {@code keymesh up} takes them
 * ({@code 500ms}, {@code 5s}, {@code 2m}); the old {@code --interval-ms}, {@code --rekey-every-seconds}
 * and {@code --timeout-seconds} (plain numbers) still work, hidden from the help.
 *
 * <p>Once the peer is configured (so that a handshake arriving from then on is accepted) it prints
 * {@code listening on UDP port P}. Last line: {@code wgping: sent=N received=M handshakes=H cookie_replies_sent=C rekeys=R},
 * where N counts requests handed to the engine, M distinct, intact replies to them, H handshakes
 * completed with the peer (either role), C cookie replies the engine sent and R initiations
 * {@code --rekey-every} caused. Exit status 0 iff N and M both equal {@code --count}, 1
 * otherwise, 2 for a bad command line or configuration (key file, key, endpoint, address, port).
 */
@Command(name = "wgping", description = "Ping an address inside a stock WireGuard peer's tunnel (interop diagnostics).")
final class WgPingCommand implements Callable<Integer> {
    /** How long {@code --await} keeps answering after its last reply or the peer's last request. */
    static final long LINGER_MILLIS = 1000;
    /** Retry period of a rekey the engine refused (rate limit of one initiation per REKEY_TIMEOUT). */
    static final long REKEY_RETRY_MILLIS = 100;
    /** Echo data bytes per request, as {@code ping}'s default: 84-byte IPv4 packets. */
    static final int DATA_LENGTH = 56;

    private static final int EXIT_OK = 0;
    private static final int EXIT_LOST = 1;
    private static final int EXIT_USAGE = 2;
    private static final long MS = ProtocolConstants.MILLISECOND;

    @Spec
    CommandSpec spec;

    @Option(names = "--private-key", required = true, paramLabel = "FILE",
            description = "File holding our private key in base64, as 'wg genkey' writes it.")
    Path privateKeyFile;

    @Option(names = "--peer-public-key", required = true, paramLabel = "BASE64", description = "The peer's public key.")
    String peerPublicKey;

    @Option(names = "--preshared-key", paramLabel = "FILE",
            description = "File holding the pre-shared key in base64, as 'wg genpsk' writes it (default: none).")
    Path presharedKeyFile;

    @Option(names = "--endpoint", paramLabel = "HOST:PORT",
            description = "The peer's UDP address ([v6]:port for IPv6). Required with --initiate.")
    String endpoint;

    @Option(names = "--listen-port", defaultValue = "0", paramLabel = "PORT",
            description = "Local UDP port (default ${DEFAULT-VALUE}: any).")
    int listenPort;

    @Option(names = "--address", required = true, paramLabel = "IPV4",
            description = "Our address inside the tunnel: source of our requests, destination of the peer's.")
    String address;

    @Option(names = "--target", required = true, paramLabel = "IPV4", description = "The address to ping inside the tunnel.")
    String target;

    @Option(names = "--count", defaultValue = "5", paramLabel = "N", description = "Echo requests to send (default ${DEFAULT-VALUE}).")
    int count;

    // Defaults as initial values, not picocli defaultValues: those would be applied after the hidden
    // old options below have set the field.
    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time between echo requests, 1ms..1h (default 500ms).")
    Duration interval = Duration.ofMillis(500);

    @Option(names = "--initiate", description = "Start the handshake with the first request (the default).")
    boolean initiate;

    @Option(names = "--await", description = "Never initiate: wait for the peer's handshake, then ping and answer.")
    boolean await;

    @Option(names = "--rekey-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Start a new handshake this often, up to 1d (at most one per 5 s, WireGuard's REKEY_TIMEOUT; "
                    + "default 0s: off).")
    Duration rekeyEvery = Duration.ZERO;

    @Option(names = "--under-load", description = "Behave as under load: demand mac2, answer handshakes without it with cookie replies.")
    boolean underLoad;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up after this long, 1s..1d (default 30s).")
    Duration timeout = Duration.ofSeconds(30);

    /** The old form of {@code --interval}, in milliseconds; hidden. */
    @Option(names = "--interval-ms", hidden = true, paramLabel = "MS")
    void intervalMillis(long ms) {
        interval = Duration.ofMillis(ms);
    }

    /** The old form of {@code --rekey-every}, in seconds; hidden. */
    @Option(names = "--rekey-every-seconds", hidden = true, paramLabel = "S")
    void rekeyEverySeconds(long seconds) {
        rekeyEvery = Duration.ofSeconds(seconds);
    }

    /** The old form of {@code --timeout}, in seconds; hidden. */
    @Option(names = "--timeout-seconds", hidden = true, paramLabel = "T")
    void timeoutSeconds(long seconds) {
        timeout = Duration.ofSeconds(seconds);
    }

    /** A bad command line or configuration: reported on stderr, exit status 2. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** What the loop thread reports to the command's thread. */
    private sealed interface Event {}

    private record ReplyReceived(int sequence, int bytes, int ttl, long rttNanos) implements Event {}

    private record RequestAnswered(int source, int sequence, int bytes) implements Event {}

    private record HandshakeCompleted(long total) implements Event {}

    private record EndpointChanged(InetSocketAddress endpoint) implements Event {}

    private record Note(String text) implements Event {}

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrivateKey key = null;
        EngineLoop driver = null;
        try {
            validateNumbers();
            String keyText = readKeyFile("--private-key", privateKeyFile);
            key = parse("--private-key " + privateKeyFile, () -> PrivateKey.fromBase64(keyText));
            PublicKey peerKey = parse("--peer-public-key", () -> PublicKey.fromBase64(peerPublicKey));
            PresharedKey psk = presharedKeyFile == null ? PresharedKey.ZERO : readPresharedKey(presharedKeyFile);
            InetSocketAddress peerEndpoint = endpoint == null ? null : parseEndpoint(endpoint);
            if (peerEndpoint == null && !await) {
                throw new UsageException("--endpoint is required with --initiate");
            }
            int local = parseIpv4("--address", address);
            int remote = parseIpv4("--target", target);
            if (peerKey.equals(key.publicKey())) {
                throw new UsageException("--peer-public-key is our own public key");
            }
            InetAddress wildcard = peerEndpoint != null && peerEndpoint.getAddress().getAddress().length == 16
                    ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0");
            Pinger pinger = new Pinger(local, remote, key.publicKey());
            try {
                driver = new EngineLoop(UdpIo.open(new InetSocketAddress(wildcard, listenPort), UdpIo.Mode.AUTO), key, pinger);
            } catch (UncheckedIOException e) {
                throw new UsageException("--listen-port " + listenPort + ": cannot bind UDP: "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            }
            pinger.driver = driver;
            driver.start();
            final PrivateKey ourKey = key;
            driver.call((e, t) -> {
                e.setForcedUnderLoad(underLoad);
                Peer p = e.addPeer(peerKey, psk);
                p.setEndpoint(UdpEndpoint.of(peerEndpoint));
                pinger.peer = p;
                return null;
            }).get();
            out.printf("PING %s from %s through peer %s%s, %d data bytes, %s%s%n",
                    IcmpEchoPacket.addressText(remote), IcmpEchoPacket.addressText(local), peerKey.toBase64(),
                    peerEndpoint == null ? "" : " at " + endpointText(peerEndpoint), DATA_LENGTH,
                    await ? "awaiting the peer's handshake" : "initiating",
                    underLoad ? ", under load" : "");
            out.printf("our public key %s%n", ourKey.publicKey().toBase64());
            out.printf("listening on UDP port %d%n", driver.io().localAddress().getPort());
            out.flush();
            return run(out, driver, pinger);
        } catch (UsageException e) {
            err.println("keymesh wgping: " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        } catch (UnknownHostException e) {
            err.println("keymesh wgping: " + e);
            err.flush();
            return EXIT_USAGE;
        } catch (ExecutionException e) {
            err.println("keymesh wgping: the session engine failed: " + e.getCause());
            err.flush();
            return EXIT_LOST;
        } finally {
            if (driver != null) {
                driver.close();
            }
            if (key != null) {
                key.close();
            }
        }
    }

    // The run's tally, touched only by the command's thread.
    private int sent;
    private int received;
    private int answered;
    private int rekeys;
    private boolean sessionUp;
    private long nextSendAt;
    /** When the last reply arrived or the last request was answered, for the linger of --await. */
    private long lastActivity;

    /** Sends, paces, rekeys and reports until done or timed out; returns the exit status. */
    private int run(PrintWriter out, EngineLoop driver, Pinger pinger) throws InterruptedException, ExecutionException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long interval = this.interval.toNanos();
        long rekeyPeriod = rekeyEvery.toNanos();
        long nextRekeyAt = rekeyPeriod > 0 ? start + rekeyPeriod : Long.MAX_VALUE;
        sessionUp = !await;
        nextSendAt = start;
        lastActivity = start;
        if (await) {
            out.println("waiting up to " + Durations.format(timeout) + " for a handshake from the peer");
            out.flush();
        }
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                if (sent != count || received != count) {
                    out.printf("timed out after %s: %d of %d echo requests answered%n", Durations.format(timeout), received, count);
                }
                break;
            }
            if (sessionUp && sent < count && now - nextSendAt >= 0) {
                int seq = sent + 1;
                if (driver.call((e, t) -> pinger.sendRequest(e, t, seq)).get()) {
                    sent++;
                } else {
                    out.println("no session with the peer: echo request " + seq + " not sent, retrying");
                }
                nextSendAt += interval;
                if (now - nextSendAt > interval) {
                    nextSendAt = now + interval; // fell behind (a slow call): keep the spacing, not the schedule
                }
                continue;
            }
            if (now - nextRekeyAt >= 0) {
                if (driver.call((e, t) -> e.initiateHandshake(t, pinger.peer)).get()) {
                    rekeys++;
                    out.println("rekey " + rekeys + ": handshake initiation sent");
                    nextRekeyAt = now + rekeyPeriod;
                } else {
                    nextRekeyAt = now + REKEY_RETRY_MILLIS * MS; // within REKEY_TIMEOUT of the last initiation
                }
                continue;
            }
            boolean allAnswered = sent == count && received == count;
            long doneAt = allAnswered ? (await ? lastActivity + LINGER_MILLIS * MS : now) : Long.MAX_VALUE;
            if (allAnswered && now - doneAt >= 0) {
                break;
            }
            long wakeAt = deadline;
            if (sessionUp && sent < count) {
                wakeAt = earliest(wakeAt, nextSendAt);
            }
            wakeAt = earliest(wakeAt, nextRekeyAt);
            wakeAt = earliest(wakeAt, doneAt);
            for (Event ev = pinger.events.poll(Math.max(0, wakeAt - now), TimeUnit.NANOSECONDS); ev != null;
                    ev = pinger.events.poll()) {
                report(out, pinger, ev);
            }
            out.flush();
        }
        long[] stats = driver.call((e, t) -> new long[] {pinger.peer.handshakesCompleted(), e.cookieRepliesSent()}).get();
        for (Event ev = pinger.events.poll(); ev != null; ev = pinger.events.poll()) {
            report(out, pinger, ev);
        }
        if (answered > 0) {
            out.printf("answered %d echo request(s) from the peer%n", answered);
        }
        out.printf("wgping: sent=%d received=%d handshakes=%d cookie_replies_sent=%d rekeys=%d%n",
                sent, received, stats[0], stats[1], rekeys);
        out.flush();
        return sent == count && received == count ? EXIT_OK : EXIT_LOST;
    }

    /** Prints an event from the loop thread and updates the tally. */
    private void report(PrintWriter out, Pinger pinger, Event ev) {
        switch (ev) {
            case ReplyReceived r -> {
                received++;
                lastActivity = System.nanoTime();
                out.printf("%d bytes from %s: icmp_seq=%d ttl=%d time=%.2f ms%n", r.bytes(),
                        IcmpEchoPacket.addressText(pinger.target), r.sequence(), r.ttl(), r.rttNanos() / 1e6);
            }
            case RequestAnswered a -> {
                answered++;
                lastActivity = System.nanoTime();
                out.printf("answered echo request from %s: icmp_seq=%d, %d bytes%n",
                        IcmpEchoPacket.addressText(a.source()), a.sequence(), a.bytes());
            }
            case HandshakeCompleted h -> {
                out.println("handshake " + h.total() + " completed");
                if (!sessionUp) {
                    sessionUp = true;
                    nextSendAt = System.nanoTime();
                }
            }
            case EndpointChanged c -> out.println("peer endpoint is now " + endpointText(c.endpoint()));
            case Note n -> out.println(n.text());
        }
    }

    /**
     * The listener on the driver's loop thread, and the state only that thread touches: which
     * requests went out when, which were answered. It reports to the command's thread via
     * {@link #events}.
     */
    private final class Pinger implements SessionEvents {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final PublicKey ourKey;
        final int address;
        final int target;
        final int identifier = (int) (ProcessHandle.current().pid() & 0xffff);
        final long[] sentAt;
        final boolean[] sent;
        final boolean[] replied;
        int ipIdentification = new SecureRandom().nextInt(0x10000);
        volatile EngineLoop driver;
        volatile Peer peer;

        Pinger(int address, int target, PublicKey ourKey) {
            this.ourKey = ourKey;
            this.address = address;
            this.target = target;
            this.sentAt = new long[count + 1];
            this.sent = new boolean[count + 1];
            this.replied = new boolean[count + 1];
        }

        /** On the loop thread: sends echo request {@code seq}; false if {@code --await} has no session yet. */
        boolean sendRequest(SessionEngine engine, long now, int seq) {
            if (await && !peer.hasSession(now)) {
                return false; // sending now would start a handshake
            }
            IcmpEchoPacket request = IcmpEchoPacket.request(address, target, identifier, seq, data(seq), nextIpId());
            sentAt[seq] = now;
            sent[seq] = true;
            if (!transmit(engine, now, request)) {
                events.add(new Note("echo request " + seq + " dropped: the peer has no endpoint"));
            }
            return true;
        }

        private boolean transmit(SessionEngine engine, long now, IcmpEchoPacket packet) {
            int len = packet.length();
            byte[] buf = new byte[SessionEngine.SEND_HEADROOM + len + engine.sendTailroom(len)];
            packet.writeTo(buf, SessionEngine.SEND_HEADROOM);
            return engine.send(now, peer, buf, SessionEngine.SEND_HEADROOM, len);
        }

        private int nextIpId() {
            ipIdentification = (ipIdentification + 1) & 0xffff;
            return ipIdentification;
        }

        @Override
        public void deliver(Peer from, Endpoint source, int kind, byte[] payload, int off, int len) {
            long now = System.nanoTime();
            IcmpEchoPacket packet = IcmpEchoPacket.parse(payload, off, len);
            if (packet == null) {
                events.add(new Note("ignored a " + len + "-byte payload that is not a well-formed IPv4 ICMP echo"));
            } else if (packet.isRequest() && packet.destination() == address) {
                IcmpEchoPacket reply = packet.reply(nextIpId());
                // Sent from a task rather than from inside the engine's receive call.
                driver.submit((e, t) -> transmit(e, t, reply)).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        events.add(new Note("echo reply icmp_seq=" + packet.sequence() + " not sent: " + failure));
                    }
                });
                events.add(new RequestAnswered(packet.source(), packet.sequence(), packet.length()));
            } else if (packet.isReply() && packet.source() == target && packet.destination() == address
                    && packet.identifier() == identifier) {
                int seq = packet.sequence();
                if (seq < 1 || seq > count || !sent[seq]) {
                    events.add(new Note("unexpected echo reply " + packet));
                } else if (replied[seq]) {
                    events.add(new Note("duplicate echo reply icmp_seq=" + seq));
                } else if (!packet.dataEquals(data(seq))) {
                    events.add(new Note("corrupt echo reply icmp_seq=" + seq + ": data differs from the request's"));
                } else {
                    replied[seq] = true;
                    events.add(new ReplyReceived(seq, packet.length(), packet.ttl(), now - sentAt[seq]));
                }
            } else {
                events.add(new Note("ignored " + packet));
            }
        }

        @Override
        public void handshakeCompleted(Peer p) {
            events.add(new HandshakeCompleted(p.handshakesCompleted()));
        }

        /** WireGuard's roaming, reported. */
        @Override
        public void authenticated(Peer p, Endpoint from) {
            if (!from.equals(p.endpoint())) {
                p.setEndpoint(from);
                events.add(new EndpointChanged(UdpEndpoint.addressOf(from)));
            }
        }

        /** The kinds of refused handshakes reported so far: each once. */
        private final java.util.Set<DropReason> refusalsReported = java.util.EnumSet.noneOf(DropReason.class);

        /** A refused handshake, reported once per kind, with what to check. */
        @Override
        public void handshakeRefused(DropReason reason, int messageType, Endpoint from, PublicKey key) {
            if (!refusalsReported.add(reason)) {
                return;
            }
            String what = (messageType == MessageType.HANDSHAKE_RESPONSE ? "handshake response" : "handshake initiation")
                    + " from " + (UdpEndpoint.addressOf(from) == null ? String.valueOf(from) : endpointText(UdpEndpoint.addressOf(from)))
                    + " refused (" + reason + ")";
            events.add(new Note(what + switch (reason) {
                case BAD_MAC1 -> ": not made for our public key; does the peer list " + ourKey + "?";
                case UNKNOWN_PEER -> key == null ? ": it does not decrypt" : ": it comes from " + key + ", not --peer-public-key";
                case HANDSHAKE_FAILED -> ": does the peer's PresharedKey equal --preshared-key (none if not given)?";
                default -> "";
            }));
        }

        @Override
        public void dropped(Peer p, DropReason reason, int n) {
            events.add(new Note(n + " packet(s) to the peer dropped: " + reason));
        }
    }

    /** The echo data of request {@code seq}: a byte pattern that differs per request. */
    static byte[] data(int seq) {
        byte[] d = new byte[DATA_LENGTH];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (seq + i);
        }
        return d;
    }

    private void validateNumbers() throws UsageException {
        if (initiate && await) {
            throw new UsageException("--initiate and --await exclude each other");
        }
        if (count < 1 || count > 65535) {
            throw new UsageException("--count must be 1..65535, got " + count);
        }
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new UsageException("--interval must be 1ms..1h, got " + Durations.format(interval));
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new UsageException("--listen-port must be 0..65535, got " + listenPort);
        }
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new UsageException("--timeout must be 1s..1d, got " + Durations.format(timeout));
        }
        if (rekeyEvery.isNegative() || rekeyEvery.compareTo(Duration.ofDays(1)) > 0) {
            throw new UsageException("--rekey-every must be 0s..1d, got " + Durations.format(rekeyEvery));
        }
        if (!rekeyEvery.isZero() && await) {
            throw new UsageException("--rekey-every initiates handshakes; it cannot be used with --await");
        }
    }

    /** {@code ip:port}, or {@code [ipv6]:port}. */
    static String endpointText(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    private static String readKeyFile(String option, Path file) throws UsageException {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new UsageException(option + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException(option + " " + file + ": permission denied");
        } catch (IOException | UncheckedIOException e) {
            throw new UsageException(option + " " + file + ": cannot read: " + e.getMessage());
        }
    }

    private static PresharedKey readPresharedKey(Path file) throws UsageException {
        String text = readKeyFile("--preshared-key", file);
        return parse("--preshared-key " + file, () -> PresharedKey.fromBase64(text));
    }

    /** Parses with {@code f}, turning its IllegalArgumentException into a usage error naming {@code what}. */
    private static <T> T parse(String what, java.util.function.Supplier<T> f) throws UsageException {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    /** {@code host:port} or {@code [ipv6]:port}; host names are resolved once. */
    static InetSocketAddress parseEndpoint(String text) throws UsageException {
        String where = "--endpoint " + text;
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(where + ": expected HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new UsageException(where + ": write an IPv6 address in brackets, [ADDRESS]:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UsageException(where + ": port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new UsageException(where + ": port must be 1..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new UsageException(where + ": unknown host " + host);
        }
    }

    /** A dotted-quad IPv4 address as a big-endian int; never resolves names. */
    static int parseIpv4(String option, String text) throws UsageException {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new UsageException(option + " " + text + ": not an IPv4 address (a.b.c.d)");
        }
        int v = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new UsageException(option + " " + text + ": not an IPv4 address (a.b.c.d)");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new UsageException(option + " " + text + ": not an IPv4 address (a.b.c.d)");
            }
            v = v << 8 | octet;
        }
        return v;
    }
}
