package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.render;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.NodeConfigKeys.ALLOW;
import static io.keymesh.config.NodeConfigKeys.CONNECT_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.FORWARDING;
import static io.keymesh.config.NodeConfigKeys.FORWARDING_KEYS;
import static io.keymesh.config.NodeConfigKeys.FORWARDS;
import static io.keymesh.config.NodeConfigKeys.FORWARD_KEYS;
import static io.keymesh.config.NodeConfigKeys.FROM;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.MAX_CONNECTIONS;
import static io.keymesh.config.NodeConfigKeys.MAX_FORWARD_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.MIN_FORWARD_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.OPEN_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.PEER;
import static io.keymesh.config.NodeConfigKeys.REMOTE_FORWARDS;
import static io.keymesh.config.NodeConfigKeys.REMOTE_FORWARD_KEYS;
import static io.keymesh.config.NodeConfigKeys.REMOTE_LISTEN;
import static io.keymesh.config.NodeConfigKeys.REMOTE_LISTEN_KEYS;
import static io.keymesh.config.NodeConfigKeys.SERVICES;
import static io.keymesh.config.NodeConfigKeys.SERVICE_KEYS;
import static io.keymesh.config.NodeConfigKeys.SOCKS;
import static io.keymesh.config.NodeConfigKeys.TARGET;
import static io.keymesh.config.NodeConfigKeys.TO;
import static io.keymesh.config.NodeConfigKeys.WINDOW;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.forward.ForwardingConfig;
import io.keymesh.forward.LocalForward;
import io.keymesh.forward.RemoteForward;
import io.keymesh.forward.RemoteListenGrant;
import io.keymesh.forward.Service;
import io.keymesh.forward.TcpAddress;
import io.keymesh.node.PeerConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads service forwarding from the {@code keymesh} block: {@code services} (an object, one entry
 * per service: its target as a string, or {@code { target, allow }}), {@code forwards} (a list of
 * {@code { listen, to = "KEY/SERVICE" }}), {@code remote-forwards} (a list of {@code { peer, listen,
 * target }}), {@code remote-listen} (a list of {@code { from, listen }}) and the {@code forwarding}
 * object ({@code window}, {@code connect-timeout}, {@code open-timeout}, {@code max-connections}),
 * into a {@link ForwardingConfig}, reporting each problem to its {@link ConfigReader}. A key a
 * forward goes to that is not a listed peer (without {@code accept-members}) gets a warning. Not
 * thread-safe: one per load.
 */
final class ForwardingConfigReader {
    private final ConfigReader reader;
    private final PeerConfigReader keys;

    ForwardingConfigReader(ConfigReader reader) {
        this.reader = reader;
        this.keys = new PeerConfigReader(reader);
    }

    /**
     * The forwarding of the {@code keymesh} block {@code o} (merged over reference.conf's), or null
     * after reporting a problem. {@code self} (null if it could not be read) is the key forwards may
     * not go to; {@code peers} and {@code acceptMembers} decide the warnings added to {@code warnings}.
     */
    ForwardingConfig read(ConfigObject o, PrivateKey self, List<PeerConfig> peers, boolean acceptMembers, List<String> warnings) {
        int before = reader.problems().size();
        List<Service> services = services(o, self);
        List<LocalForward> forwards = forwards(o, self);
        List<RemoteForward> remote = remoteForwards(o, self);
        List<RemoteListenGrant> grants = remoteListen(o, self);
        List<InetSocketAddress> socks = socks(o, forwards);
        ForwardingConfig limits = limits(o);
        if (reader.problems().size() > before || limits == null) {
            return null;
        }
        if (!acceptMembers) {
            Set<PublicKey> listed = new java.util.HashSet<>();
            for (PeerConfig p : peers) {
                listed.add(p.publicKey());
            }
            for (int i = 0; i < forwards.size(); i++) {
                if (!listed.contains(forwards.get(i).peer())) {
                    warnings.add(ROOT + "." + FORWARDS + "[" + i + "]." + TO + ": " + forwards.get(i).peer().toBase64()
                            + " is not in peers: its connections fail until it is added");
                }
            }
            for (int i = 0; i < remote.size(); i++) {
                if (!listed.contains(remote.get(i).peer())) {
                    warnings.add(ROOT + "." + REMOTE_FORWARDS + "[" + i + "]." + PEER + ": " + remote.get(i).peer().toBase64()
                            + " is not in peers: it cannot be asked until it is added");
                }
            }
        }
        try {
            return limits.withServices(services).withForwards(forwards).withRemoteForwards(remote).withRemoteListenGrants(grants)
                    .withSocks(socks);
        } catch (IllegalArgumentException e) { // checked above; kept so that nothing slips through unnamed
            reader.problem(ROOT, e.getMessage(), null);
            return null;
        }
    }

    // ------------------------------------------------------------------ services

    private List<Service> services(ConfigObject o, PrivateKey self) {
        String path = ROOT + "." + SERVICES;
        List<Service> out = new ArrayList<>();
        ConfigValue v = present(o, SERVICES);
        if (v == null) {
            return out;
        }
        if (v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { NAME { " + TARGET + " = \"HOST:PORT\", " + ALLOW + " = [ KEYS ] }, ... }, got "
                    + typeName(v), v.origin());
            return out;
        }
        ConfigObject services = (ConfigObject) v;
        for (String name : new TreeSet<>(services.keySet())) {
            String p = path + "." + (name.contains(".") ? "\"" + name + "\"" : name);
            ConfigValue s = services.get(name);
            try {
                Service.checkName(name);
            } catch (IllegalArgumentException e) {
                reader.problem(p, e.getMessage(), s.origin());
                continue;
            }
            Service service = service(p, name, s, self);
            if (service != null) {
                out.add(service);
            }
        }
        return out;
    }

    private Service service(String path, String name, ConfigValue v, PrivateKey self) {
        if (v.valueType() == ConfigValueType.STRING) {
            TcpAddress target = target(path, v);
            return target == null ? null : Service.of(name, target);
        }
        if (v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be \"HOST:PORT\" or { " + TARGET + " = \"HOST:PORT\", " + ALLOW + " = [ KEYS ] }, got "
                    + typeName(v), v.origin());
            return null;
        }
        ConfigObject o = (ConfigObject) v;
        reader.unknownKeys(path, o, SERVICE_KEYS);
        ConfigValue t = present(o, TARGET);
        if (t == null) {
            reader.problem(path + "." + TARGET, "missing: give \"HOST:PORT\", where this node connects for the service",
                    o.origin());
            return null;
        }
        TcpAddress target = target(path + "." + TARGET, t);
        Set<PublicKey> allow = allow(path + "." + ALLOW, present(o, ALLOW), self);
        return target == null || allow == null ? null : new Service(name, target, allow);
    }

    /** The keys of an {@code allow} list; empty if absent (any member), null after a problem. */
    private Set<PublicKey> allow(String path, ConfigValue v, PrivateKey self) {
        Set<PublicKey> out = new LinkedHashSet<>();
        if (v == null) {
            return out;
        }
        if (v.valueType() != ConfigValueType.LIST) {
            reader.problem(path, "must be a list of public keys [ \"KEY\", ... ], got " + typeName(v), v.origin());
            return null;
        }
        ConfigList list = (ConfigList) v;
        if (list.isEmpty()) {
            reader.problem(path, "is empty, which would let nobody in: list keys, or leave " + ALLOW
                    + " out to let any member use the service", v.origin());
            return null;
        }
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            PublicKey k = keys.keyValue(path + "[" + i + "]", list.get(i), self);
            if (k == null) {
                ok = false;
            } else if (!out.add(k)) {
                reader.problem(path + "[" + i + "]", "listed twice", list.get(i).origin());
                ok = false;
            }
        }
        return ok ? out : null;
    }

    // ------------------------------------------------------------------ forwards

    private List<LocalForward> forwards(ConfigObject o, PrivateKey self) {
        Map<InetSocketAddress, String> seen = new HashMap<>();
        return list(o, FORWARDS, "{ " + LISTEN + " = \"HOST:PORT\", " + TO + " = \"KEY/SERVICE\" }", FORWARD_KEYS, (p, f) -> {
            InetSocketAddress listen = listen(p + "." + LISTEN, f);
            ConfigValue to = present(f, TO);
            if (to == null) {
                reader.problem(p + "." + TO, "missing: give \"KEY/SERVICE\", the node and the name of its service", f.origin());
                return null;
            }
            LocalForward forward = to(p + "." + TO, to, listen, self);
            if (forward != null && listen.getPort() != 0) {
                String first = seen.putIfAbsent(listen, p);
                if (first != null) {
                    reader.problem(p + "." + LISTEN, HostPort.format(listen) + " is also the listen address of " + first,
                            f.get(LISTEN).origin());
                    return null;
                }
            }
            return forward;
        });
    }

    /** {@code "KEY/SERVICE"} (the key may itself hold '/': the service is after the last one). */
    private LocalForward to(String path, ConfigValue v, InetSocketAddress listen, PrivateKey self) {
        String text = reader.string(v, path);
        if (text == null) {
            return null;
        }
        int slash = text.strip().lastIndexOf('/');
        if (slash <= 0 || slash == text.strip().length() - 1) {
            reader.problem(path, "expected \"KEY/SERVICE\" (the node's public key, a slash, the service's name), got \""
                    + text + "\"", v.origin());
            return null;
        }
        String t = text.strip();
        PublicKey key = keys.keyValue(path, stringLike(t.substring(0, slash), v), self);
        String service = t.substring(slash + 1);
        try {
            Service.checkName(service);
        } catch (IllegalArgumentException e) {
            reader.problem(path, e.getMessage(), v.origin());
            return null;
        }
        if (key == null || listen == null) {
            return null;
        }
        return new LocalForward(listen, key, service);
    }

    private List<RemoteForward> remoteForwards(ConfigObject o, PrivateKey self) {
        Map<List<Object>, String> seen = new HashMap<>();
        return list(o, REMOTE_FORWARDS, "{ " + PEER + " = \"KEY\", " + LISTEN + " = \"HOST:PORT\", " + TARGET + " = \"HOST:PORT\" }",
                REMOTE_FORWARD_KEYS, (p, f) -> {
                    PublicKey peer = requiredKey(p + "." + PEER, f, PEER, "the node asked to listen", self);
                    TcpAddress listen = requiredAddress(p + "." + LISTEN, f, LISTEN, "the address on the peer's side");
                    TcpAddress target = requiredAddress(p + "." + TARGET, f, TARGET, "where this node connects what the peer forwards");
                    if (peer == null || listen == null || target == null) {
                        return null;
                    }
                    String first = seen.putIfAbsent(List.of(peer, listen), p);
                    if (first != null) {
                        reader.problem(p + "." + LISTEN, "the same peer and address as " + first, f.get(LISTEN).origin());
                        return null;
                    }
                    return new RemoteForward(peer, listen, target);
                });
    }

    private List<RemoteListenGrant> remoteListen(ConfigObject o, PrivateKey self) {
        return list(o, REMOTE_LISTEN, "{ " + FROM + " = \"KEY\", " + LISTEN + " = \"HOST:PORT\" }", REMOTE_LISTEN_KEYS, (p, f) -> {
            PublicKey from = requiredKey(p + "." + FROM, f, FROM, "the node that may ask", self);
            TcpAddress listen = requiredAddress(p + "." + LISTEN, f, LISTEN, "the address it may ask this node to listen at");
            return from == null || listen == null ? null : new RemoteListenGrant(from, listen);
        });
    }

    /** Reads {@code o.name}, a list of objects, each by {@code element}; the elements that had no problem. */
    private <T> List<T> list(ConfigObject o, String name, String shape, Set<String> validKeys,
            java.util.function.BiFunction<String, ConfigObject, T> element) {
        String path = ROOT + "." + name;
        List<T> out = new ArrayList<>();
        ConfigValue v = present(o, name);
        if (v == null) {
            return out;
        }
        if (v.valueType() != ConfigValueType.LIST) {
            reader.problem(path, "must be a list [ " + shape + ", ... ], got " + typeName(v), v.origin());
            return out;
        }
        ConfigList list = (ConfigList) v;
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            ConfigValue e = list.get(i);
            if (e.valueType() != ConfigValueType.OBJECT) {
                reader.problem(p, "must be an object " + shape + ", got " + typeName(e) + " " + render(e), e.origin());
                continue;
            }
            reader.unknownKeys(p, (ConfigObject) e, validKeys);
            T t = element.apply(p, (ConfigObject) e);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    private PublicKey requiredKey(String path, ConfigObject o, String key, String what, PrivateKey self) {
        ConfigValue v = present(o, key);
        if (v == null) {
            reader.problem(path, "missing: give the public key of " + what, o.origin());
            return null;
        }
        return keys.keyValue(path, v, self);
    }

    private TcpAddress requiredAddress(String path, ConfigObject o, String key, String what) {
        ConfigValue v = present(o, key);
        if (v == null) {
            reader.problem(path, "missing: give \"HOST:PORT\", " + what, o.origin());
            return null;
        }
        return target(path, v);
    }

    private TcpAddress target(String path, ConfigValue v) {
        String text = reader.string(v, path);
        if (text == null) {
            return null;
        }
        try {
            return TcpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            reader.problem(path, e.getMessage(), v.origin());
            return null;
        }
    }

    /** A local listen address (resolved now; port 0: any free port), or null after a problem. */
    private InetSocketAddress listen(String path, ConfigObject o) {
        ConfigValue v = present(o, LISTEN);
        if (v == null) {
            reader.problem(path, "missing: give \"HOST:PORT\" to listen on, e.g. \"127.0.0.1:15432\"", o.origin());
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

    /** The {@code socks} list of listen addresses; none may be a forward's. */
    private List<InetSocketAddress> socks(ConfigObject o, List<LocalForward> forwards) {
        String path = ROOT + "." + SOCKS;
        List<InetSocketAddress> out = new ArrayList<>();
        ConfigValue v = present(o, SOCKS);
        if (v == null) {
            return out;
        }
        if (v.valueType() != ConfigValueType.LIST) {
            reader.problem(path, "must be a list of addresses to listen on [ \"127.0.0.1:1080\", ... ], got " + typeName(v),
                    v.origin());
            return out;
        }
        ConfigList list = (ConfigList) v;
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            String text = reader.string(list.get(i), p);
            if (text == null) {
                continue;
            }
            InetSocketAddress a;
            try {
                a = HostPort.parse(text, true);
            } catch (IllegalArgumentException e) {
                reader.problem(p, e.getMessage(), list.get(i).origin());
                continue;
            }
            if (a.getPort() != 0 && (out.contains(a) || forwards.stream().anyMatch(f -> f.listen().equals(a)))) {
                reader.problem(p, HostPort.format(a) + " is also another listener's address (" + FORWARDS + " or " + SOCKS + ")",
                        list.get(i).origin());
                continue;
            }
            out.add(a);
        }
        return out;
    }

    // ------------------------------------------------------------------ limits

    /** The {@code forwarding} object as a configuration without services or forwards, or null after a problem. */
    private ForwardingConfig limits(ConfigObject o) {
        String path = ROOT + "." + FORWARDING;
        ConfigValue v = o.get(FORWARDING);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { " + WINDOW + " = ..., " + CONNECT_TIMEOUT + " = ..., " + OPEN_TIMEOUT
                    + " = ..., " + MAX_CONNECTIONS + " = ... }, got " + (v == null ? "nothing" : typeName(v)),
                    v == null ? null : v.origin());
            return null;
        }
        ConfigObject f = (ConfigObject) v;
        reader.unknownKeys(path, f, FORWARDING_KEYS);
        long window = window(path + "." + WINDOW, f);
        Duration connect = timeout(path + "." + CONNECT_TIMEOUT, f, CONNECT_TIMEOUT, "10s");
        Duration open = timeout(path + "." + OPEN_TIMEOUT, f, OPEN_TIMEOUT, "15s");
        int max = maxConnections(path + "." + MAX_CONNECTIONS, f);
        if (window < 0 || connect == null || open == null || max < 0) {
            return null;
        }
        return ForwardingConfig.DEFAULT.withWindow((int) window).withTimeouts(connect, open).withMaxConnections(max);
    }

    private long window(String path, ConfigObject o) {
        ConfigValue v = present(o, WINDOW);
        String range = "64K..64M";
        if (v == null) {
            reader.problem(path, "missing: give a size such as 1M (" + range + ")", o.origin());
            return -1;
        }
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
            reader.problem(path, "must be a size such as 1M (" + range + "), got " + typeName(v), v.origin());
            return -1;
        }
        long bytes;
        try {
            bytes = ConfigFactory.parseMap(Map.of("b", v.unwrapped())).getBytes("b");
        } catch (ConfigException e) {
            reader.problem(path, "not a size (e.g. 1M, 256K, 1048576): \"" + v.unwrapped() + "\"", v.origin());
            return -1;
        }
        if (bytes < ForwardingConfig.MIN_WINDOW || bytes > ForwardingConfig.MAX_WINDOW) {
            reader.problem(path, "must be " + range + ", got " + v.unwrapped(), v.origin());
            return -1;
        }
        return bytes;
    }

    private Duration timeout(String path, ConfigObject o, String key, String example) {
        ConfigValue v = present(o, key);
        if (v == null) {
            reader.problem(path, "missing: give a duration such as " + example, o.origin());
            return null;
        }
        Duration d = reader.duration(path, v, example);
        if (d == null) {
            return null;
        }
        if (d.compareTo(MIN_FORWARD_TIMEOUT) < 0 || d.compareTo(MAX_FORWARD_TIMEOUT) > 0) {
            reader.problem(path, "must be 100ms..10m, got " + v.unwrapped(), v.origin());
            return null;
        }
        return d;
    }

    private int maxConnections(String path, ConfigObject o) {
        return (int) reader.wholeNumber(path, o, MAX_CONNECTIONS, 1, ForwardingConfig.MAX_CONNECTIONS_LIMIT, null, null);
    }

    /** A string config value with {@code like}'s origin, for reading part of a string as a key. */
    private static ConfigValue stringLike(String text, ConfigValue like) {
        return com.typesafe.config.ConfigValueFactory.fromAnyRef(text).withOrigin(like.origin());
    }
}
