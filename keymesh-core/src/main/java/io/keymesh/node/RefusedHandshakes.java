package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.overlay.RelayedEndpoint;
import io.keymesh.session.DropReason;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.MessageType;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log what a refused handshake ({@link io.keymesh.session.SessionEvents#handshakeRefused})
 * means, from which address, and what to check: a node using another network key, a key that is not
 * a peer, a peer without the network key, a response that does not authenticate. WARN, logger
 * {@code io.keymesh.node.RefusedHandshakes}; at most one line per source address per
 * {@link #INTERVAL_NANOS} and {@link #MAX_LINES_PER_INTERVAL} lines in all per interval, with
 * {@link #SOURCES} addresses remembered ({@link LogRateLimiter}: fixed memory, whatever a flood's
 * sources). A line says how many refusals from its address went unlogged since the one before.
 * Every refusal is counted by the engine ({@link MeshNode#drops}) whether logged or not, and
 * nothing is sent: strangers still get silence. Loop thread.
 */
final class RefusedHandshakes {
    /** At most one line per source address this often. */
    static final long INTERVAL_NANOS = 60_000_000_000L;
    /** At most this many lines per {@link #INTERVAL_NANOS}, from all addresses together. */
    static final int MAX_LINES_PER_INTERVAL = 10;
    /** Source addresses remembered at once. */
    static final int SOURCES = 256;

    private static final Logger log = LoggerFactory.getLogger(RefusedHandshakes.class);
    /** The source of a handshake that came with none. */
    private static final Object NOWHERE = new Object();

    private final LogRateLimiter limiter = new LogRateLimiter(INTERVAL_NANOS, MAX_LINES_PER_INTERVAL, SOURCES);
    private final PublicKey self;
    private final boolean networkKey;
    private final boolean acceptMembers;
    private final Function<PublicKey, String> label;
    private final BooleanSupplier membersFull;

    /**
     * @param self this node's public key
     * @param networkKey whether the node has a network key (mac1 is bound to it)
     * @param acceptMembers whether the node lets in any holder of the network key
     * @param label how the log names a key: "NAME (KEY)" for a named peer, else the key
     * @param membersFull whether as many members are let in as {@link NodeConfig#MAX_ADMITTED_MEMBERS}
     */
    RefusedHandshakes(PublicKey self, boolean networkKey, boolean acceptMembers, Function<PublicKey, String> label,
            BooleanSupplier membersFull) {
        this.self = self;
        this.networkKey = networkKey;
        this.acceptMembers = acceptMembers;
        this.label = label;
        this.membersFull = membersFull;
    }

    /** A refusal at {@code now} (the loop's clock): logged if the rate allows. */
    void refused(long now, DropReason reason, int messageType, Endpoint from, PublicKey key) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long unlogged = limiter.permit(source(from), now);
        if (unlogged == LogRateLimiter.DENIED) {
            return;
        }
        String line = describe(reason, messageType, from, key);
        log.warn(unlogged == 0 ? line : line + " (" + unlogged + " more from there since the last line about it)");
    }

    /** What the refusal means and what to check, in one line. */
    String describe(DropReason reason, int messageType, Endpoint from, PublicKey key) {
        String message = messageType == MessageType.HANDSHAKE_RESPONSE ? "handshake response" : "handshake initiation";
        String where = address(from);
        return switch (reason) {
            case BAD_MAC1 -> messageType == MessageType.HANDSHAKE_RESPONSE
                    ? message + " from " + where + " refused: its mac1 was not made with this node's public key" + withNetworkKey()
                            + ": does the node there hold the same network key?"
                    : message + " from " + where + " refused: its mac1 was not made with this node's public key" + withNetworkKey()
                            + ": does that node " + (networkKey ? "use the same network key and " : "") + "list this node's key, "
                            + self.toBase64() + ", as a peer?" + (networkKey ? " (a stock WireGuard peer must be listed with "
                            + "wireguard = true)" : "");
            case UNKNOWN_PEER -> key == null
                    ? message + " from " + where + " refused: it passed mac1 but does not decrypt with this node's key "
                            + "(damaged, or made by someone who knows this node's public key" + (networkKey ? " and the network key" : "")
                            + " without its private key)"
                    : label.apply(key) + " (not a peer) tried to connect from " + where + "; " + notAPeerAdvice();
            case NOT_A_MEMBER -> "peer " + label.apply(key) + " sent a " + message + " from " + where
                    + " made without the network key (WireGuard's standard mac1): give it the network key, "
                    + "or, if it is a stock WireGuard peer, list it with wireguard = true";
            case HANDSHAKE_FAILED -> message + " from " + where + " to our initiation to peer " + label.apply(key)
                    + " does not authenticate: for a stock WireGuard peer, is its PresharedKey this node's network key? "
                    + "Otherwise the node answering there does not hold that peer's private key";
            default -> message + " from " + where + " refused: " + reason;
        };
    }

    private String withNetworkKey() {
        return networkKey ? " and network key" : "";
    }

    private String notAPeerAdvice() {
        if (!acceptMembers) {
            return "add it to peers, or set accept-members = true to let in any node holding the network key";
        }
        if (membersFull.getAsBoolean()) {
            return "accept-members is on, but " + NodeConfig.MAX_ADMITTED_MEMBERS + " members are let in already, "
                    + "the most at once: add it to peers";
        }
        return "accept-members lets in only nodes that use the network key, and it did not (a stock WireGuard peer "
                + "must be listed with wireguard = true)";
    }

    /** Refusals are limited per IP address (any port), per relay for relayed ones. */
    private static Object source(Endpoint from) {
        if (from instanceof UdpEndpoint u) {
            return u.address().getAddress();
        }
        if (from instanceof RelayedEndpoint r) {
            return r.via();
        }
        return from == null ? NOWHERE : from;
    }

    private String address(Endpoint from) {
        if (from instanceof UdpEndpoint u) {
            InetSocketAddress a = u.address();
            String host = a.getAddress().getHostAddress();
            int scope = host.indexOf('%');
            if (a.getAddress() instanceof Inet6Address) {
                return "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]:" + a.getPort();
            }
            return host + ":" + a.getPort();
        }
        if (from instanceof RelayedEndpoint r) {
            return "a circuit through relay " + label.apply(r.via());
        }
        return from == null ? "nowhere known" : from.toString();
    }
}
