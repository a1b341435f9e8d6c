package io.keymesh.config;

import static io.keymesh.config.NodeConfigKeys.AEAD;
import static io.keymesh.config.NodeConfigKeys.BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.DEFAULT_PERSISTENT_KEEPALIVE_SECONDS;
import static io.keymesh.config.NodeConfigKeys.DEFAULT_WIREGUARD;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.ENDPOINT;
import static io.keymesh.config.NodeConfigKeys.FILE_SUFFIX;
import static io.keymesh.config.NodeConfigKeys.IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.MAX_BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS_LIMIT;
import static io.keymesh.config.NodeConfigKeys.MAX_IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.MIN_IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.NETWORK_KEY;
import static io.keymesh.config.NodeConfigKeys.PEERS;
import static io.keymesh.config.NodeConfigKeys.PEER_KEYS;
import static io.keymesh.config.NodeConfigKeys.PERSISTENT_KEEPALIVE;
import static io.keymesh.config.NodeConfigKeys.PRIVATE_KEY;
import static io.keymesh.config.NodeConfigKeys.PUBLIC_KEY;
import static io.keymesh.config.NodeConfigKeys.RELAY;
import static io.keymesh.config.NodeConfigKeys.RELAY_KEYS;
import static io.keymesh.config.NodeConfigKeys.VIA;
import static io.keymesh.config.NodeConfigKeys.WIREGUARD;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.channel.ChannelConfig;
import io.keymesh.crypto.Key32;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.RelayConfig;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads a node's HOCON configuration, the {@code keymesh} block over the defaults in
 * {@code reference.conf}, into a {@link NodeConfig}. Every problem is collected and reported
 * together, one line each, naming the key path and why, with the line in the file where Typesafe
 * Config knows it: {@code keymesh.peers[1].public-key: not base64: ... (line 9)}. Keys that
 * {@code reference.conf} does not define are refused (typos otherwise pass silently).
 *
 * <p>Key files named by a relative path are read relative to the config file's directory. Not
 * thread-safe: one loader per load. {@link NodeConfigRenderer} writes a {@link NodeConfig} back as
 * the block this reads.
 */
public final class NodeConfigLoader {
    public static final String ROOT = "keymesh";
    /** Key files larger than this are not key files. */
    private static final int MAX_KEY_FILE_BYTES = 4096;

    private final Path baseDir;
    private final String mainFile;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private NodeConfigLoader(Path baseDir, String mainFile) {
        this.baseDir = baseDir;
        this.mainFile = mainFile;
    }

    /** Loads {@code file}. */
    public static LoadedNodeConfig load(Path file) throws BadConfigException {
        if (Files.isDirectory(file)) {
            throw new BadConfigException("is a directory");
        }
        if (!Files.exists(file)) {
            throw new BadConfigException("no such file");
        }
        if (!Files.isReadable(file)) {
            throw new BadConfigException("permission denied");
        }
        Path absolute = file.toAbsolutePath(); // so that includes are found next to it
        NodeConfigLoader loader = new NodeConfigLoader(absolute.getParent(), absolute.toString());
        Config user;
        try {
            user = ConfigFactory.parseFile(absolute.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new BadConfigException(loader.describe(e));
        }
        return loader.load(user);
    }

    /** Loads HOCON {@code text}; relative key file paths are relative to {@code baseDir}. */
    public static LoadedNodeConfig parse(String text, Path baseDir) throws BadConfigException {
        NodeConfigLoader loader = new NodeConfigLoader(baseDir, null);
        Config user;
        try {
            user = ConfigFactory.parseString(text);
        } catch (ConfigException e) {
            throw new BadConfigException(loader.describe(e));
        }
        return loader.load(user);
    }

    /**
     * Reads the {@code keymesh} block of an application's configuration, for example an actor
     * system's (already merged with the {@code reference.conf} files on the class path, which is
     * harmless: the defaults are merged under it again). Relative key file paths are relative to
     * {@code baseDir}, or to the working directory if it is null.
     */
    public static LoadedNodeConfig fromConfig(Config config, Path baseDir) throws BadConfigException {
        return new NodeConfigLoader(baseDir, null).load(config);
    }

    /** The defaults: every {@code reference.conf} on the class path (keymesh's has the keymesh block). */
    public static Config reference() {
        return ConfigFactory.parseResources(NodeConfigLoader.class.getClassLoader(), "reference.conf");
    }

    private LoadedNodeConfig load(Config user) throws BadConfigException {
        if (!user.root().containsKey(ROOT)) {
            throw new BadConfigException(ROOT + ": missing: the file has no keymesh { ... } block"
                    + (user.root().isEmpty() ? " (it is empty)" : "; its top-level keys are " + String.join(", ", new TreeSet<>(user.root().keySet()))));
        }
        Config reference = reference();
        Config merged;
        try {
            merged = user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new BadConfigException(describe(e));
        }
        ConfigValue block = merged.root().get(ROOT);
        if (block.valueType() != ConfigValueType.OBJECT) {
            throw new BadConfigException(ROOT + ": must be an object { ... }, got " + typeName(block) + where(block.origin()));
        }
        ConfigObject keymesh = (ConfigObject) block;
        unknownKeys(ROOT, keymesh, reference.getObject(ROOT).keySet());

        PrivateKey privateKey = null;
        try {
            KeySource<PrivateKey> pk = key(keymesh, PRIVATE_KEY, "private key", PrivateKey::fromBase64,
                    "give private-key (base64, as `keymesh genkey` prints it) or private-key-file (a file holding it)");
            privateKey = pk.key;
            InetSocketAddress listen = listen(keymesh);
            KeySource<PresharedKey> nk = key(keymesh, NETWORK_KEY, "pre-shared key", PresharedKey::fromBase64,
                    "give network-key (base64, as `keymesh genpsk` prints it) or network-key-file (a file holding it). "
                    + "Every member of a mesh holds the same network key; a node without it gets no answer, "
                    + "and a stock WireGuard peer uses it as its PresharedKey");
            String aead = aead(keymesh);
            List<PeerConfig> peers = peers(keymesh, privateKey, listen);
            RelayConfig relay = relay(keymesh);
            if (!problems.isEmpty()) {
                throw new BadConfigException(problems);
            }
            NodeConfig node;
            try {
                node = new NodeConfig(privateKey, listen, nk.key, peers, aead, ChannelConfig.DEFAULT, relay);
            } catch (IllegalArgumentException e) { // checked above; kept so that nothing slips through unnamed
                throw new BadConfigException(ROOT + ": " + e.getMessage());
            }
            return new LoadedNodeConfig(node, pk.file, nk.file, warnings);
        } catch (BadConfigException | RuntimeException e) {
            if (privateKey != null) {
                privateKey.close();
            }
            throw e;
        }
    }

    /** A key and the file it came from (null if inline); key null if it could not be read. */
    private record KeySource<K>(K key, Path file) {}

    /** {@code name} inline or {@code name-file}: exactly one; parsed with {@code parse}. */
    private <K extends Key32> KeySource<K> key(ConfigObject o, String name, String kind, Function<String, K> parse,
            String howToGive) {
        String path = ROOT + "." + name;
        ConfigValue inline = present(o, name);
        ConfigValue file = present(o, name + FILE_SUFFIX);
        if (inline != null && file != null) {
            problem(path, "give exactly one of " + name + " and " + name + FILE_SUFFIX + ", not both", inline.origin());
            return new KeySource<>(null, null);
        }
        if (inline == null && file == null) {
            problem(path, "missing: " + howToGive, null);
            return new KeySource<>(null, null);
        }
        if (inline != null) {
            String text = string(inline, path);
            return new KeySource<>(text == null ? null : parseKey(path, "", text, kind, parse, inline.origin()), null);
        }
        String filePath = path + FILE_SUFFIX;
        String name2 = string(file, filePath);
        if (name2 == null) {
            return new KeySource<>(null, null);
        }
        Path p = baseDir == null ? Path.of(name2) : baseDir.resolve(name2);
        String text = readKeyFile(filePath, p, file.origin());
        return new KeySource<>(text == null ? null : parseKey(filePath, p + ": ", text, kind, parse, file.origin()), p);
    }

    private <K> K parseKey(String path, String prefix, String text, String kind, Function<String, K> parse, ConfigOrigin origin) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            problem(path, prefix + withoutKind(e.getMessage(), kind), origin);
            return null;
        }
    }

    private String readKeyFile(String path, Path p, ConfigOrigin origin) {
        try {
            if (Files.isDirectory(p)) {
                problem(path, p + ": is a directory", origin);
                return null;
            }
            long size = Files.size(p);
            if (size > MAX_KEY_FILE_BYTES) {
                problem(path, p + ": not a key file (" + size + " bytes)", origin);
                return null;
            }
            String text = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
            PosixFileAttributeView posix = Files.getFileAttributeView(p, PosixFileAttributeView.class);
            if (posix != null) {
                Set<PosixFilePermission> perms = posix.readAttributes().permissions();
                if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    warnings.add(path + ": " + p + " can be read by others than its owner (chmod 600 it)");
                }
            }
            return text;
        } catch (NoSuchFileException e) {
            problem(path, p + ": no such file", origin);
        } catch (AccessDeniedException e) {
            problem(path, p + ": permission denied", origin);
        } catch (IOException e) {
            problem(path, p + ": cannot read: " + e.getMessage(), origin);
        }
        return null;
    }

    private InetSocketAddress listen(ConfigObject o) {
        String path = ROOT + "." + LISTEN;
        ConfigValue v = present(o, LISTEN);
        if (v == null) {
            problem(path, "missing: give \"HOST:PORT\", e.g. \"0.0.0.0:51820\" or \"[::]:51820\"", null);
            return null;
        }
        String text = string(v, path);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text, true);
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage(), v.origin());
            return null;
        }
    }

    private String aead(ConfigObject o) {
        String path = ROOT + "." + AEAD;
        ConfigValue v = present(o, AEAD);
        if (v == null) {
            problem(path, "missing: give jdk or portable", null);
            return null;
        }
        String text = string(v, path);
        if (text != null && !text.equals("jdk") && !text.equals("portable")) {
            problem(path, "must be jdk or portable, got \"" + text + "\"", v.origin());
            return null;
        }
        return text;
    }

    private List<PeerConfig> peers(ConfigObject o, PrivateKey self, InetSocketAddress listen) {
        String path = ROOT + "." + PEERS;
        ConfigValue v = present(o, PEERS);
        List<PeerConfig> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.valueType() != ConfigValueType.LIST) {
            problem(path, "must be a list [ { public-key = ..., endpoint = ... }, ... ], got " + typeName(v), v.origin());
            return out;
        }
        ConfigList list = (ConfigList) v;
        Map<PublicKey, Boolean> listed = listedPeers(list);
        Map<PublicKey, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            PeerConfig p = peer(path + "[" + i + "]", list.get(i), self, listen, seen, i, listed);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The keys of the peers listed, each with whether it is a stock WireGuard peer, read without
     * reporting anything (each peer's own problems are reported where it is read): what a route's
     * first relay is checked against.
     */
    private static Map<PublicKey, Boolean> listedPeers(ConfigList list) {
        Map<PublicKey, Boolean> listed = new HashMap<>();
        for (ConfigValue v : list) {
            if (v.valueType() == ConfigValueType.OBJECT) {
                ConfigObject o = (ConfigObject) v;
                ConfigValue k = present(o, PUBLIC_KEY);
                ConfigValue wg = present(o, WIREGUARD);
                PublicKey key = k != null && k.valueType() == ConfigValueType.STRING ? quietKey((String) k.unwrapped()) : null;
                if (key != null) {
                    listed.putIfAbsent(key, wg != null && Boolean.TRUE.equals(wg.unwrapped()));
                }
            }
        }
        return listed;
    }

    private static PublicKey quietKey(String text) {
        String t = text.strip();
        try {
            return t.length() == 44 ? PublicKey.fromBase64(t) : t.length() == 52 ? PublicKey.fromBase32(t) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private PeerConfig peer(String path, ConfigValue v, PrivateKey self, InetSocketAddress listen,
            Map<PublicKey, Integer> seen, int index, Map<PublicKey, Boolean> listed) {
        if (v.valueType() != ConfigValueType.OBJECT) {
            problem(path, "must be an object { public-key = ..., endpoint = ... }, got " + typeName(v), v.origin());
            return null;
        }
        ConfigObject o = (ConfigObject) v;
        unknownKeys(path, o, PEER_KEYS);
        PublicKey key = publicKey(path + "." + PUBLIC_KEY, o, self, seen, index);
        InetSocketAddress endpoint = endpoint(path + "." + ENDPOINT, o, listen);
        int keepalive = keepalive(path + "." + PERSISTENT_KEEPALIVE, o);
        boolean wireguard = bool(path + "." + WIREGUARD, o, WIREGUARD, DEFAULT_WIREGUARD);
        List<List<PublicKey>> routes = via(path + "." + VIA, o, key, self, wireguard, listed);
        if (key == null || keepalive < 0 || routes == null) {
            return null; // the problem is reported; the config fails
        }
        return new PeerConfig(key, endpoint, keepalive, wireguard, routes);
    }

    private PublicKey publicKey(String path, ConfigObject o, PrivateKey self, Map<PublicKey, Integer> seen, int index) {
        ConfigValue v = present(o, PUBLIC_KEY);
        if (v == null) {
            problem(path, "missing: every peer needs its public key (base64, as `keymesh pubkey` prints it, or base32)",
                    o.origin());
            return null;
        }
        PublicKey key = keyValue(path, v, self);
        if (key == null) {
            return null;
        }
        Integer first = seen.putIfAbsent(key, index);
        if (first != null) {
            problem(path, "the same key as " + ROOT + "." + PEERS + "[" + first + "]: a peer is listed once", v.origin());
            return null;
        }
        return key;
    }

    /**
     * A public key in base64 or base32 that is usable (not this node's own, not a low-order point),
     * or null after reporting why not.
     */
    private PublicKey keyValue(String path, ConfigValue v, PrivateKey self) {
        String text = string(v, path);
        if (text == null) {
            return null;
        }
        String t = text.strip();
        PublicKey key;
        try {
            if (t.length() == 44) {
                key = PublicKey.fromBase64(t);
            } else if (t.length() == 52) {
                key = PublicKey.fromBase32(t);
            } else {
                problem(path, "a public key is 44 characters of base64 or 52 of base32, got " + t.length() + " characters", v.origin());
                return null;
            }
        } catch (IllegalArgumentException e) {
            problem(path, withoutKind(e.getMessage(), "public key"), v.origin());
            return null;
        }
        if (self != null) {
            if (key.equals(self.publicKey())) {
                problem(path, "is this node's own public key", v.origin());
                return null;
            }
            byte[] shared = new byte[Key32.LENGTH];
            boolean usable = self.sharedSecret(key, shared, 0);
            java.util.Arrays.fill(shared, (byte) 0);
            if (!usable) {
                problem(path, "not a usable key (a low-order point)", v.origin());
                return null;
            }
        }
        return key;
    }

    /**
     * A peer's routes through relays: each element of the list one relay's key (a route through
     * that relay) or a list of 1..3 keys (a multi-hop route, relays in order). Empty if absent;
     * null after reporting a problem.
     */
    private List<List<PublicKey>> via(String path, ConfigObject o, PublicKey peer, PrivateKey self, boolean wireguard,
            Map<PublicKey, Boolean> listed) {
        ConfigValue v = present(o, VIA);
        if (v == null) {
            return List.of();
        }
        if (v.valueType() != ConfigValueType.LIST) {
            problem(path, "must be a list [ \"RELAY\", ... ], each a relay's key or a list of 1.." + PeerConfig.MAX_RELAYS
                    + " keys (a multi-hop route), got " + typeName(v) + " " + render(v), v.origin());
            return null;
        }
        ConfigList list = (ConfigList) v;
        if (list.isEmpty()) {
            return List.of();
        }
        if (wireguard) {
            problem(path, "a stock WireGuard peer (" + WIREGUARD + " = true) cannot be reached through relays", v.origin());
            return null;
        }
        List<List<PublicKey>> routes = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            String routePath = path + "[" + i + "]";
            List<PublicKey> route = route(routePath, list.get(i), peer, self, listed);
            int same = route == null ? -1 : routes.indexOf(route);
            if (route == null) {
                ok = false;
            } else if (same >= 0) {
                problem(routePath, "the same route as " + path + "[" + same + "]: a route is listed once", list.get(i).origin());
                ok = false;
            }
            routes.add(route); // null too, so that indexes stay right
        }
        return ok ? routes : null;
    }

    /** One route of {@link #via}: a key, or a list of 1..3 keys; null after reporting a problem. */
    private List<PublicKey> route(String path, ConfigValue v, PublicKey peer, PrivateKey self,
            Map<PublicKey, Boolean> listed) {
        List<String> paths = new ArrayList<>();
        List<ConfigValue> hops = new ArrayList<>();
        if (v.valueType() == ConfigValueType.STRING) {
            paths.add(path);
            hops.add(v);
        } else if (v.valueType() == ConfigValueType.LIST) {
            ConfigList list = (ConfigList) v;
            if (list.isEmpty()) {
                problem(path, "an empty route: a route is 1.." + PeerConfig.MAX_RELAYS + " relays, in order", v.origin());
                return null;
            }
            if (list.size() > PeerConfig.MAX_RELAYS) {
                problem(path, "a route has at most " + PeerConfig.MAX_RELAYS + " relays, got " + list.size(), v.origin());
                return null;
            }
            for (int j = 0; j < list.size(); j++) {
                paths.add(path + "[" + j + "]");
                hops.add(list.get(j));
            }
        } else {
            problem(path, "must be a relay's key or a list of 1.." + PeerConfig.MAX_RELAYS + " keys (a multi-hop route), got "
                    + typeName(v) + " " + render(v), v.origin());
            return null;
        }
        List<PublicKey> route = new ArrayList<>();
        boolean ok = true;
        for (int j = 0; j < hops.size(); j++) {
            ConfigValue hop = hops.get(j);
            PublicKey key = keyValue(paths.get(j), hop, self);
            if (key == null) {
                ok = false;
            } else if (key.equals(peer)) {
                problem(paths.get(j), "is the peer itself: a route lists only the relays on the way to the peer", hop.origin());
                ok = false;
            } else if (route.contains(key)) {
                problem(paths.get(j), "the same relay as " + paths.get(route.indexOf(key)) + ": a route names a relay once",
                        hop.origin());
                ok = false;
            } else if (j == 0 && !listed.containsKey(key)) {
                problem(paths.get(j), relayIsNotAPeer(key), hop.origin());
                ok = false;
            } else if (j == 0 && listed.get(key)) {
                problem(paths.get(j), relayIsWireGuard(key), hop.origin());
                ok = false;
            }
            route.add(key); // null too, so that indexes stay right
        }
        return ok ? route : null;
    }

    /**
     * Why the first relay of {@code route} cannot be used by a node with {@code peers}, or null if
     * it can: this node reaches a route's first relay over its own session with it, so the relay
     * must be one of its peers, and a mesh peer (a stock WireGuard peer relays nothing). Later
     * relays are reached by the one before them, so they are that relay's peers, not necessarily
     * this node's.
     */
    static String firstRelayProblem(List<PublicKey> route, List<PeerConfig> peers) {
        PublicKey first = route.getFirst();
        for (PeerConfig p : peers) {
            if (p.publicKey().equals(first)) {
                return p.wireGuardCompatible() ? relayIsWireGuard(first) : null;
            }
        }
        return relayIsNotAPeer(first);
    }

    private static String relayIsNotAPeer(PublicKey relay) {
        return "relay " + relay.toBase64() + " is not a peer: list it in " + ROOT + "." + PEERS
                + " too (this node reaches the first relay of a route over its own session with it)";
    }

    private static String relayIsWireGuard(PublicKey relay) {
        return "relay " + relay.toBase64() + " is a stock WireGuard peer (" + WIREGUARD + " = true), which relays nothing";
    }

    private InetSocketAddress endpoint(String path, ConfigObject o, InetSocketAddress listen) {
        ConfigValue v = present(o, ENDPOINT);
        if (v == null) {
            return null;
        }
        String text = string(v, path);
        if (text == null) {
            return null;
        }
        InetSocketAddress a;
        try {
            a = HostPort.parse(text, false);
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage(), v.origin());
            return null;
        }
        if (listen != null && listen.getAddress() instanceof Inet4Address && a.getAddress() instanceof Inet6Address) {
            problem(path, "IPv6 endpoint " + HostPort.format(a) + " cannot be reached from the IPv4 listen address "
                    + HostPort.format(listen) + "; listen on \"[::]:" + listen.getPort() + "\" for both", v.origin());
            return null;
        }
        if (listen != null && listen.getAddress() instanceof Inet6Address && !listen.getAddress().isAnyLocalAddress()
                && a.getAddress() instanceof Inet4Address) {
            problem(path, "IPv4 endpoint " + HostPort.format(a) + " cannot be reached from the IPv6 listen address "
                    + HostPort.format(listen) + "; listen on \"[::]:" + listen.getPort() + "\" for both", v.origin());
            return null;
        }
        return a;
    }

    /** Whole seconds 0..65535, or -1 after reporting a problem. */
    private int keepalive(String path, ConfigObject o) {
        ConfigValue v = present(o, PERSISTENT_KEEPALIVE);
        if (v == null) {
            return DEFAULT_PERSISTENT_KEEPALIVE_SECONDS;
        }
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
            problem(path, "must be a duration such as 25s, got " + typeName(v), v.origin());
            return -1;
        }
        Duration d;
        try {
            d = Durations.parse(String.valueOf(v.unwrapped()));
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage(), v.origin());
            return -1;
        }
        if (d.isNegative()) {
            problem(path, "must not be negative, got " + v.unwrapped(), v.origin());
            return -1;
        }
        if (d.toNanosPart() != 0) {
            problem(path, "must be whole seconds (WireGuard's unit), got " + v.unwrapped(), v.origin());
            return -1;
        }
        if (d.toSeconds() > 65535) {
            problem(path, "at most 65535s, got " + v.unwrapped(), v.origin());
            return -1;
        }
        return (int) d.toSeconds();
    }

    /** The relay settings of {@code reference.conf}: what the loader takes for keys a relay object leaves out. */
    static RelayConfig defaultRelay() {
        NodeConfigLoader loader = new NodeConfigLoader(null, null);
        RelayConfig relay = loader.relay(reference().getObject(ROOT));
        if (relay == null) {
            throw new IllegalStateException("reference.conf's relay object: " + String.join("; ", loader.problems));
        }
        return relay;
    }

    /** The {@code relay} object (merged over reference.conf's, so every key is there unless set to null). */
    private RelayConfig relay(ConfigObject o) {
        String path = ROOT + "." + RELAY;
        ConfigValue v = o.get(RELAY);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            problem(path, "must be an object { " + ENABLED + " = ..., " + MAX_CIRCUITS + " = ..., " + BYTES_PER_SECOND
                    + " = ..., " + IDLE_TIMEOUT + " = ... }, got " + (v == null ? "nothing" : typeName(v))
                    + " (to turn relaying off: " + RELAY + "." + ENABLED + " = false)", v == null ? null : v.origin());
            return null;
        }
        ConfigObject r = (ConfigObject) v;
        unknownKeys(path, r, RELAY_KEYS);
        boolean enabled = bool(path + "." + ENABLED, r, ENABLED, RelayConfig.DEFAULT.enabled());
        int maxCircuits = maxCircuits(path + "." + MAX_CIRCUITS, r);
        long rate = bytesPerSecond(path + "." + BYTES_PER_SECOND, r);
        long idle = idleTimeout(path + "." + IDLE_TIMEOUT, r);
        if (maxCircuits < 0 || rate < 0 || idle < 0) {
            return null;
        }
        return new RelayConfig(enabled, maxCircuits, rate, idle);
    }

    /** 0..{@value NodeConfigKeys#MAX_CIRCUITS_LIMIT}, or -1 after reporting a problem. */
    private int maxCircuits(String path, ConfigObject o) {
        ConfigValue v = present(o, MAX_CIRCUITS);
        String range = "0.." + MAX_CIRCUITS_LIMIT;
        if (v == null) {
            problem(path, "missing: give a whole number " + range, o.origin());
            return -1;
        }
        long n;
        Object u = v.unwrapped();
        if (u instanceof Integer || u instanceof Long) {
            n = ((Number) u).longValue();
        } else if (u instanceof String text && text.strip().matches("[-+]?[0-9]{1,18}")) {
            n = Long.parseLong(text.strip());
        } else {
            problem(path, "must be a whole number " + range + ", got " + (v.valueType() == ConfigValueType.STRING
                    || v.valueType() == ConfigValueType.NUMBER ? "" : typeName(v) + " ") + render(v), v.origin());
            return -1;
        }
        if (n < 0 || n > MAX_CIRCUITS_LIMIT) {
            problem(path, "must be " + range + ", got " + n, v.origin());
            return -1;
        }
        return (int) n;
    }

    /** Bytes per second, 0 for no limit, or -1 after reporting a problem. */
    private long bytesPerSecond(String path, ConfigObject o) {
        ConfigValue v = present(o, BYTES_PER_SECOND);
        String example = "a size such as 10M or 1048576 (0: no limit)";
        if (v == null) {
            problem(path, "missing: give " + example, o.origin());
            return -1;
        }
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
            problem(path, "must be " + example + ", got " + typeName(v), v.origin());
            return -1;
        }
        String text = String.valueOf(v.unwrapped()).strip();
        if (text.startsWith("-")) {
            problem(path, "must not be negative, got " + text, v.origin());
            return -1;
        }
        long bytes;
        try {
            bytes = ConfigFactory.parseMap(Map.of("b", v.unwrapped())).getBytes("b");
        } catch (ConfigException e) {
            problem(path, "not a size (e.g. 10M, 500kB, 1048576; 0: no limit): \"" + text + "\"", v.origin());
            return -1;
        }
        if (bytes > MAX_BYTES_PER_SECOND) {
            problem(path, "at most 8G (for no limit: 0), got " + text, v.origin());
            return -1;
        }
        return bytes;
    }

    /** In nanoseconds, or -1 after reporting a problem. */
    private long idleTimeout(String path, ConfigObject o) {
        ConfigValue v = present(o, IDLE_TIMEOUT);
        if (v == null) {
            problem(path, "missing: give a duration such as 120s", o.origin());
            return -1;
        }
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
            problem(path, "must be a duration such as 120s, got " + typeName(v), v.origin());
            return -1;
        }
        Duration d;
        try {
            d = Durations.parse(String.valueOf(v.unwrapped()));
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage(), v.origin());
            return -1;
        }
        if (d.compareTo(MIN_IDLE_TIMEOUT) < 0) {
            problem(path, "at least " + Durations.format(MIN_IDLE_TIMEOUT) + " (paths not in use are probed every 5s, "
                    + "which keeps their circuits open), got " + v.unwrapped(), v.origin());
            return -1;
        }
        if (d.compareTo(MAX_IDLE_TIMEOUT) > 0) {
            problem(path, "at most 1d, got " + v.unwrapped(), v.origin());
            return -1;
        }
        return d.toNanos();
    }

    private boolean bool(String path, ConfigObject o, String key, boolean dflt) {
        ConfigValue v = present(o, key);
        if (v == null) {
            return dflt;
        }
        if (v.valueType() != ConfigValueType.BOOLEAN) {
            problem(path, "must be true or false, got " + render(v), v.origin());
            return dflt;
        }
        return (Boolean) v.unwrapped();
    }

    /** Reports keys of {@code o} not in {@code valid}, with a suggestion for a near miss. */
    private void unknownKeys(String path, ConfigObject o, Set<String> valid) {
        TreeSet<String> sorted = new TreeSet<>(valid);
        for (String k : new TreeSet<>(o.keySet())) {
            if (!valid.contains(k)) {
                String suggestion = nearest(k, sorted);
                problem(path + "." + k, "unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)")
                        + "; valid keys: " + String.join(", ", sorted), o.get(k).origin());
            }
        }
    }

    /** The string value of {@code v}, or null after reporting that it is not a string. */
    private String string(ConfigValue v, String path) {
        if (v.valueType() != ConfigValueType.STRING) {
            problem(path, "must be a string (in quotes), got " + typeName(v) + " " + render(v), v.origin());
            return null;
        }
        return (String) v.unwrapped();
    }

    private static ConfigValue present(ConfigObject o, String key) {
        ConfigValue v = o.get(key);
        return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
    }

    private void problem(String path, String why, ConfigOrigin origin) {
        problems.add(path + ": " + why + where(origin));
    }

    /** " (line N)" for a value from the loaded file, " (FILE line N)" for one from an included file, else "". */
    private String where(ConfigOrigin origin) {
        if (origin == null || origin.lineNumber() < 0 || origin.resource() != null) {
            return "";
        }
        String f = origin.filename();
        if (f != null && mainFile != null && !f.equals(mainFile)) {
            return " (" + f + " line " + origin.lineNumber() + ")";
        }
        return " (line " + origin.lineNumber() + ")";
    }

    /** A Typesafe Config exception's message without its origin prefix, and the line at the end. */
    private String describe(ConfigException e) {
        String message = e.getMessage();
        ConfigOrigin origin = e.origin();
        if (origin != null) {
            String prefix = origin.description() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
        }
        return message + where(origin);
    }

    private static String withoutKind(String message, String kind) {
        return message.startsWith(kind + ": ") ? message.substring(kind.length() + 2) : message;
    }

    private static String typeName(ConfigValue v) {
        return switch (v.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }

    private static String render(ConfigValue v) {
        return v.render(com.typesafe.config.ConfigRenderOptions.concise());
    }

    /** The entry of {@code valid} nearest to {@code key} by edit distance, if near enough to be a typo. */
    private static String nearest(String key, Set<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = editDistance(key, v);
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
