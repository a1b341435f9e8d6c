package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.ConfigReader.withoutKind;
import static io.keymesh.config.NodeConfigKeys.ACCEPT_MEMBERS;
import static io.keymesh.config.NodeConfigKeys.AEAD;
import static io.keymesh.config.NodeConfigKeys.CRYPTO_WORKERS;
import static io.keymesh.config.NodeConfigKeys.ECN;
import static io.keymesh.config.NodeConfigKeys.UDP_IO;
import static io.keymesh.config.NodeConfigKeys.FILE_SUFFIX;
import static io.keymesh.config.NodeConfigKeys.KEYMESH_KEYS;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.NETWORK_KEY;
import static io.keymesh.config.NodeConfigKeys.PRIVATE_KEY;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.channel.ChannelConfig;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.crypto.Key32;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.forward.ForwardingConfig;
import io.keymesh.io.UdpIo;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.overlay.RelayConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
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
 * the block this reads. The {@code peers} list and the {@code relay} object are read by
 * {@link PeerConfigReader} and {@link RelayConfigReader}, service forwarding ({@code services},
 * {@code forwards}, ...) by {@link ForwardingConfigReader}, the {@code compression} object by
 * {@link CompressionConfigReader}; all report into one {@link ConfigReader}.
 */
public final class NodeConfigLoader {
    public static final String ROOT = "keymesh";
    /** Key files larger than this are not key files. */
    private static final int MAX_KEY_FILE_BYTES = 4096;

    private final Path baseDir;
    private final ConfigReader reader;
    private final List<String> warnings = new ArrayList<>();

    /** Whether the configuration is a whole file of its own, whose every top-level key must be keymesh. */
    private final boolean wholeFile;

    private NodeConfigLoader(Path baseDir, String mainFile, String text, boolean wholeFile) {
        this.baseDir = baseDir;
        this.reader = new ConfigReader(mainFile, text);
        this.wholeFile = wholeFile;
    }

    /** Loads {@code file}, a node's own: it may hold nothing but the {@code keymesh} block. */
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
        NodeConfigLoader loader = new NodeConfigLoader(absolute.getParent(), absolute.toString(), null, true);
        Config user;
        try {
            user = ConfigFactory.parseFile(absolute.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new BadConfigException(loader.reader.describe(e));
        }
        return loader.load(user);
    }

    /**
     * Loads the {@code keymesh} block of HOCON {@code text}, which may hold other settings too (an
     * application's); relative key file paths are relative to {@code baseDir}.
     */
    public static LoadedNodeConfig parse(String text, Path baseDir) throws BadConfigException {
        NodeConfigLoader loader = new NodeConfigLoader(baseDir, null, text, false);
        Config user;
        try {
            user = ConfigFactory.parseString(text);
        } catch (ConfigException e) {
            throw new BadConfigException(loader.reader.describe(e));
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
        return new NodeConfigLoader(baseDir, null, null, false).load(config);
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
        if (wholeFile) {
            reader.unknownTopLevelKeys(user.root(), ROOT, KEYMESH_KEYS);
        }
        Config reference = reference();
        Config merged;
        try {
            merged = user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new BadConfigException(reader.describe(e));
        }
        ConfigValue block = merged.root().get(ROOT);
        if (block.valueType() != ConfigValueType.OBJECT) {
            throw new BadConfigException(ROOT + ": must be an object { ... }, got " + typeName(block) + reader.where(block.origin()));
        }
        ConfigObject keymesh = (ConfigObject) block;
        reader.unknownKeys(ROOT, keymesh, KEYMESH_KEYS);

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
            UdpIo.Mode udpIo = udpIo(keymesh);
            int cryptoWorkers = cryptoWorkers(keymesh);
            boolean ecn = bool(keymesh, ECN);
            List<PeerConfig> peers = new PeerConfigReader(reader).read(keymesh, privateKey, listen);
            RelayConfig relay = new RelayConfigReader(reader).read(keymesh);
            DiscoveryConfig discovery = new DiscoveryConfigReader(reader).read(keymesh);
            boolean acceptMembers = acceptMembers(keymesh);
            MonitoringConfigReader monitoring = new MonitoringConfigReader(reader, warnings);
            MetricsConfig metrics = monitoring.metrics(keymesh);
            HttpEndpoint web = monitoring.web(keymesh);
            ControlConfig control = new ControlConfigReader(reader, baseDir).read(keymesh);
            ForwardingConfig forwarding = new ForwardingConfigReader(reader).read(keymesh, privateKey, peers, acceptMembers,
                    warnings);
            CompressionConfig compression = new CompressionConfigReader(reader, baseDir).read(keymesh);
            if (!reader.problems().isEmpty()) {
                throw new BadConfigException(reader.problems());
            }
            NodeConfig node;
            try {
                node = new NodeConfig(privateKey, listen, nk.key, peers, aead, ChannelConfig.DEFAULT, relay, acceptMembers,
                        discovery, compression, udpIo, ecn, cryptoWorkers);
            } catch (IllegalArgumentException e) { // checked above; kept so that nothing slips through unnamed
                throw new BadConfigException(ROOT + ": " + e.getMessage());
            }
            return new LoadedNodeConfig(node, pk.file, nk.file, warnings, metrics, web, control, forwarding);
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
            reader.problem(path, "give exactly one of " + name + " and " + name + FILE_SUFFIX + ", not both", inline.origin());
            return new KeySource<>(null, null);
        }
        if (inline == null && file == null) {
            reader.problem(path, "missing: " + howToGive, null);
            return new KeySource<>(null, null);
        }
        if (inline != null) {
            String text = reader.string(inline, path);
            return new KeySource<>(text == null ? null : parseKey(path, "", text, kind, parse, inline), null);
        }
        String filePath = path + FILE_SUFFIX;
        String name2 = reader.string(file, filePath);
        if (name2 == null) {
            return new KeySource<>(null, null);
        }
        Path p;
        try {
            p = baseDir == null ? Path.of(name2) : baseDir.resolve(name2);
        } catch (java.nio.file.InvalidPathException e) {
            reader.problem(filePath, "not a file path (" + e.getReason() + ")", file.origin());
            return new KeySource<>(null, null);
        }
        String text = readKeyFile(filePath, p, file.origin());
        return new KeySource<>(text == null ? null : parseKey(filePath, p + ": ", text, kind, parse, file), p);
    }

    /** {@code v}: the setting the key came from, inline or the file's name. */
    private <K> K parseKey(String path, String prefix, String text, String kind, Function<String, K> parse, ConfigValue v) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            reader.keyProblem(path, prefix + withoutKind(e.getMessage(), kind), v);
            return null;
        }
    }

    private String readKeyFile(String path, Path p, ConfigOrigin origin) {
        try {
            if (Files.isDirectory(p)) {
                reader.problem(path, p + ": is a directory", origin);
                return null;
            }
            long size = Files.size(p);
            if (size > MAX_KEY_FILE_BYTES) {
                reader.problem(path, p + ": not a key file (" + size + " bytes)", origin);
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
            reader.problem(path, p + ": no such file", origin);
        } catch (AccessDeniedException e) {
            reader.problem(path, p + ": permission denied", origin);
        } catch (IOException e) {
            reader.problem(path, p + ": cannot read: " + e.getMessage(), origin);
        }
        return null;
    }

    private InetSocketAddress listen(ConfigObject o) {
        String path = ROOT + "." + LISTEN;
        ConfigValue v = present(o, LISTEN);
        if (v == null) {
            reader.problem(path, "missing: give \"HOST:PORT\", e.g. \"0.0.0.0:51820\" or \"[::]:51820\"", null);
            return null;
        }
        String text = reader.string(v, path);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text, true);
        } catch (IllegalArgumentException e) {
            reader.problem(path, e.getMessage(), v.origin());
            return null;
        }
    }

    private boolean acceptMembers(ConfigObject o) {
        return bool(o, ACCEPT_MEMBERS);
    }

    /** A true/false key of the block; false (and a problem) if it is anything else, the reference's default if absent. */
    private boolean bool(ConfigObject o, String key) {
        String path = ROOT + "." + key;
        ConfigValue v = present(o, key);
        if (v == null) {
            return false;
        }
        if (v.valueType() != ConfigValueType.BOOLEAN) {
            reader.problem(path, "must be true or false, got " + typeName(v), v.origin());
            return false;
        }
        return (Boolean) v.unwrapped();
    }

    private String aead(ConfigObject o) {
        String path = ROOT + "." + AEAD;
        ConfigValue v = present(o, AEAD);
        if (v == null) {
            reader.problem(path, "missing: give jdk or portable", null);
            return null;
        }
        String text = reader.string(v, path);
        if (text != null && !text.equals("jdk") && !text.equals("portable")) {
            reader.problem(path, "must be jdk or portable, got \"" + text + "\"", v.origin());
            return null;
        }
        return text;
    }

    private int cryptoWorkers(ConfigObject o) {
        String path = ROOT + "." + CRYPTO_WORKERS;
        ConfigValue v = present(o, CRYPTO_WORKERS);
        if (v != null && v.unwrapped() instanceof String text && !text.strip().matches("[-+]?[0-9]{1,18}")) {
            if (text.strip().equals("auto")) {
                return NodeConfig.CRYPTO_WORKERS_AUTO;
            }
            reader.problem(path, "must be auto or a whole number 0.." + NodeConfig.MAX_CRYPTO_WORKERS + ", got \"" + text + "\"",
                    v.origin());
            return NodeConfig.CRYPTO_WORKERS_AUTO;
        }
        long n = reader.wholeNumber(path, o, CRYPTO_WORKERS, 0, NodeConfig.MAX_CRYPTO_WORKERS, "or auto",
                "0: the loop thread alone; or auto");
        return n < 0 ? NodeConfig.CRYPTO_WORKERS_AUTO : (int) n;
    }

    private UdpIo.Mode udpIo(ConfigObject o) {
        String path = ROOT + "." + UDP_IO;
        ConfigValue v = present(o, UDP_IO);
        if (v == null) {
            reader.problem(path, "missing: give auto, batched or portable", null);
            return null;
        }
        String text = reader.string(v, path);
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "auto" -> UdpIo.Mode.AUTO;
            case "batched" -> UdpIo.Mode.BATCHED;
            case "portable" -> UdpIo.Mode.PORTABLE;
            default -> {
                reader.problem(path, "must be auto, batched or portable, got \"" + text + "\"", v.origin());
                yield null;
            }
        };
    }
}
