package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.render;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.ConfigReader.withoutKind;
import static io.keymesh.config.NodeConfigKeys.DEFAULT_PERSISTENT_KEEPALIVE_SECONDS;
import static io.keymesh.config.NodeConfigKeys.DEFAULT_WIREGUARD;
import static io.keymesh.config.NodeConfigKeys.ENDPOINT;
import static io.keymesh.config.NodeConfigKeys.NAME;
import static io.keymesh.config.NodeConfigKeys.PEERS;
import static io.keymesh.config.NodeConfigKeys.PEER_KEYS;
import static io.keymesh.config.NodeConfigKeys.PERSISTENT_KEEPALIVE;
import static io.keymesh.config.NodeConfigKeys.PUBLIC_KEY;
import static io.keymesh.config.NodeConfigKeys.VIA;
import static io.keymesh.config.NodeConfigKeys.WIREGUARD;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.crypto.Key32;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PeerConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code keymesh.peers} list into {@link PeerConfig}s, reporting each problem to its
 * {@link ConfigReader}: per peer its {@code public-key} (base64 or base32, usable, listed once),
 * {@code endpoint} (reachable from the listen address's family), {@code persistent-keepalive},
 * {@code wireguard}, {@code name} (valid, unique), and {@code via}, its routes through relays (a relay's key or a list of 1..3;
 * the first relay of a route must be a listed mesh peer). Not thread-safe: one per load.
 */
final class PeerConfigReader {
    private final ConfigReader reader;

    PeerConfigReader(ConfigReader reader) {
        this.reader = reader;
    }

    /**
     * The {@code peers} list of the {@code keymesh} block {@code o}, without the peers that have a
     * problem (each reported). {@code self} (this node's key, null if it could not be read) and
     * {@code listen} (null likewise) are what keys and endpoints are checked against.
     */
    List<PeerConfig> read(ConfigObject o, PrivateKey self, InetSocketAddress listen) {
        String path = ROOT + "." + PEERS;
        ConfigValue v = present(o, PEERS);
        List<PeerConfig> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.valueType() != ConfigValueType.LIST) {
            reader.problem(path, "must be a list [ { public-key = ..., endpoint = ... }, ... ], got " + typeName(v), v.origin());
            return out;
        }
        ConfigList list = (ConfigList) v;
        Map<PublicKey, Boolean> listed = listedPeers(list);
        Map<PublicKey, Integer> seen = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            PeerConfig p = peer(path + "[" + i + "]", list.get(i), self, listen, seen, names, i, listed);
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
            Map<PublicKey, Integer> seen, Map<String, Integer> names, int index, Map<PublicKey, Boolean> listed) {
        if (v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { public-key = ..., endpoint = ... }, got " + typeName(v), v.origin());
            return null;
        }
        ConfigObject o = (ConfigObject) v;
        reader.unknownKeys(path, o, PEER_KEYS);
        PublicKey key = publicKey(path + "." + PUBLIC_KEY, o, self, seen, index);
        InetSocketAddress endpoint = endpoint(path + "." + ENDPOINT, o, listen);
        int keepalive = keepalive(path + "." + PERSISTENT_KEEPALIVE, o);
        boolean wireguard = reader.bool(path + "." + WIREGUARD, o, WIREGUARD, DEFAULT_WIREGUARD);
        List<List<PublicKey>> routes = via(path + "." + VIA, o, key, self, wireguard, listed);
        String name = name(path + "." + NAME, o, names, index);
        if (key == null || keepalive < 0 || routes == null || NO_NAME.equals(name)) {
            return null; // the problem is reported; the config fails
        }
        return new PeerConfig(key, endpoint, keepalive, wireguard, routes, name);
    }

    /** What {@link #name} returns after reporting a problem (never a valid name: it has a space). */
    private static final String NO_NAME = " ";

    /** The peer's name, null if it has none, or {@link #NO_NAME} after reporting a problem. */
    private String name(String path, ConfigObject o, Map<String, Integer> names, int index) {
        ConfigValue v = present(o, NAME);
        if (v == null) {
            return null;
        }
        String name = reader.string(v, path);
        if (name == null) {
            return NO_NAME;
        }
        String problem = PeerConfig.nameProblem(name);
        if (problem != null) {
            reader.problem(path, problem, v.origin());
            return NO_NAME;
        }
        Integer first = names.putIfAbsent(name, index);
        if (first != null) {
            reader.problem(path, "the same name as " + ROOT + "." + PEERS + "[" + first + "]: each peer has its own name", v.origin());
            return NO_NAME;
        }
        return name;
    }

    private PublicKey publicKey(String path, ConfigObject o, PrivateKey self, Map<PublicKey, Integer> seen, int index) {
        ConfigValue v = present(o, PUBLIC_KEY);
        if (v == null) {
            reader.problem(path, "missing: every peer needs its public key (base64, as `keymesh pubkey` prints it, or base32)",
                    o.origin());
            return null;
        }
        PublicKey key = keyValue(path, v, self);
        if (key == null) {
            return null;
        }
        Integer first = seen.putIfAbsent(key, index);
        if (first != null) {
            reader.problem(path, "the same key as " + ROOT + "." + PEERS + "[" + first + "]: a peer is listed once", v.origin());
            return null;
        }
        return key;
    }

    /**
     * A public key in base64 or base32 that is usable (not this node's own, not a low-order point),
     * or null after reporting why not.
     */
    PublicKey keyValue(String path, ConfigValue v, PrivateKey self) {
        String text = reader.string(v, path);
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
                reader.keyProblem(path, "a public key is 44 characters of base64 or 52 of base32, got " + t.length() + " characters", v);
                return null;
            }
        } catch (IllegalArgumentException e) {
            reader.keyProblem(path, withoutKind(e.getMessage(), "public key"), v);
            return null;
        }
        if (self != null) {
            if (key.equals(self.publicKey())) {
                reader.problem(path, "is this node's own public key", v.origin());
                return null;
            }
            byte[] shared = new byte[Key32.LENGTH];
            boolean usable = self.sharedSecret(key, shared, 0);
            Arrays.fill(shared, (byte) 0);
            if (!usable) {
                reader.problem(path, "not a usable key (a low-order point)", v.origin());
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
            reader.problem(path, "must be a list [ \"RELAY\", ... ], each a relay's key or a list of 1.." + PeerConfig.MAX_RELAYS
                    + " keys (a multi-hop route), got " + typeName(v) + " " + render(v), v.origin());
            return null;
        }
        ConfigList list = (ConfigList) v;
        if (list.isEmpty()) {
            return List.of();
        }
        if (wireguard) {
            reader.problem(path, "a stock WireGuard peer (" + WIREGUARD + " = true) cannot be reached through relays", v.origin());
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
                reader.problem(routePath, "the same route as " + path + "[" + same + "]: a route is listed once", list.get(i).origin());
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
                reader.problem(path, "an empty route: a route is 1.." + PeerConfig.MAX_RELAYS + " relays, in order", v.origin());
                return null;
            }
            if (list.size() > PeerConfig.MAX_RELAYS) {
                reader.problem(path, "a route has at most " + PeerConfig.MAX_RELAYS + " relays, got " + list.size(), v.origin());
                return null;
            }
            for (int j = 0; j < list.size(); j++) {
                paths.add(path + "[" + j + "]");
                hops.add(list.get(j));
            }
        } else {
            reader.problem(path, "must be a relay's key or a list of 1.." + PeerConfig.MAX_RELAYS + " keys (a multi-hop route), got "
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
                reader.problem(paths.get(j), "is the peer itself: a route lists only the relays on the way to the peer", hop.origin());
                ok = false;
            } else if (route.contains(key)) {
                reader.problem(paths.get(j), "the same relay as " + paths.get(route.indexOf(key)) + ": a route names a relay once",
                        hop.origin());
                ok = false;
            } else if (j == 0 && !listed.containsKey(key)) {
                reader.problem(paths.get(j), relayIsNotAPeer(key), hop.origin());
                ok = false;
            } else if (j == 0 && listed.get(key)) {
                reader.problem(paths.get(j), relayIsWireGuard(key), hop.origin());
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
        String text = reader.string(v, path);
        if (text == null) {
            return null;
        }
        InetSocketAddress a;
        try {
            a = HostPort.parse(text, false);
        } catch (IllegalArgumentException e) {
            reader.problem(path, e.getMessage(), v.origin());
            return null;
        }
        if (listen != null && listen.getAddress() instanceof Inet4Address && a.getAddress() instanceof Inet6Address) {
            reader.problem(path, "IPv6 endpoint " + HostPort.format(a) + " cannot be reached from the IPv4 listen address "
                    + HostPort.format(listen) + "; listen on \"[::]:" + listen.getPort() + "\" for both", v.origin());
            return null;
        }
        if (listen != null && listen.getAddress() instanceof Inet6Address && !listen.getAddress().isAnyLocalAddress()
                && a.getAddress() instanceof Inet4Address) {
            reader.problem(path, "IPv4 endpoint " + HostPort.format(a) + " cannot be reached from the IPv6 listen address "
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
        Duration d = reader.duration(path, v, "25s");
        if (d == null) {
            return -1;
        }
        if (d.isNegative()) {
            reader.problem(path, "must not be negative, got " + v.unwrapped(), v.origin());
            return -1;
        }
        if (d.toNanosPart() != 0) {
            reader.problem(path, "must be whole seconds (WireGuard's unit), got " + v.unwrapped(), v.origin());
            return -1;
        }
        if (d.toSeconds() > 65535) {
            reader.problem(path, "at most 65535s, got " + v.unwrapped(), v.origin());
            return -1;
        }
        return (int) d.toSeconds();
    }
}
