package io.keymesh.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.config.HostPort;
import io.keymesh.crypto.PublicKey;
import io.keymesh.forward.ForwardStats;
import io.keymesh.forward.Forwarder;
import io.keymesh.forward.LocalForward;
import io.keymesh.forward.RemoteForwardStatus;
import io.keymesh.forward.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The control socket's service-forwarding operations, on a running {@link Forwarder}:
 * <ul>
 *   <li>{@value #FORWARD_ADD} {@code {"listen":"HOST:PORT","to":"KEY/SERVICE"}} starts a local
 *       forward, as {@code forwards} in the config file does, until the daemon stops (the file is not
 *       changed) → {@code {"listen":"HOST:PORT","to":"KEY/SERVICE"}} with the bound address (port 0
 *       picks one);
 *   <li>{@value #FORWARD_REMOVE} {@code {"listen":"HOST:PORT"}} stops one (its open connections are
 *       closed) → {@code {"listen","removed":true}}, or {@code not-found};
 *   <li>{@value #FORWARD_LIST} → {@code {"forwards":[{listen,to}],"remoteForwards":[...],
 *       "services":[{name,target,allow}],"socks":[...],"stats":{...}}}.
 * </ul>
 * The peer need not be a peer yet: a connection to a key that is not one is refused when it comes
 * (as for a forward in the config file, which only warns).
 */
public final class ForwardOperations {
    public static final String FORWARD_ADD = "forward.add";
    public static final String FORWARD_REMOVE = "forward.remove";
    public static final String FORWARD_LIST = "forward.list";
    /** Where the forward listens, "HOST:PORT". */
    public static final String LISTEN = "listen";
    /** Where its connections go: "KEY/SERVICE". */
    public static final String TO = "to";

    private final Forwarder forwarder;

    private ForwardOperations(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** Registers the operations on {@code ops}; returns it. */
    public static ControlOperations register(ControlOperations ops, Forwarder forwarder) {
        ForwardOperations f = new ForwardOperations(forwarder);
        return ops.register(FORWARD_ADD, f::add).register(FORWARD_REMOVE, f::remove).register(FORWARD_LIST, r -> f.list());
    }

    private JsonNode add(ControlRequest r) throws ControlError {
        InetSocketAddress listen = listen(r);
        String to = r.string(TO);
        int slash = to.lastIndexOf('/');
        if (slash <= 0 || slash == to.length() - 1) {
            throw new ControlError(ControlError.BAD_REQUEST, TO + ": expected \"KEY/SERVICE\", got \"" + to + "\"");
        }
        PublicKey peer;
        try {
            peer = io.keymesh.cli.PeerKeys.parse(to.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new ControlError(ControlError.BAD_REQUEST, TO + ": " + e.getMessage());
        }
        LocalForward added;
        try {
            added = forwarder.addForward(new LocalForward(listen, peer, to.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            throw new ControlError(ControlError.BAD_REQUEST, e.getMessage());
        } catch (IOException e) {
            throw new ControlError(ControlError.REFUSED, "cannot listen on " + HostPort.format(listen) + ": " + e.getMessage());
        }
        return forward(added);
    }

    private JsonNode remove(ControlRequest r) throws ControlError {
        InetSocketAddress listen = listen(r);
        if (!forwarder.removeForward(listen)) {
            throw new ControlError(ControlError.NOT_FOUND, "no forward listens on " + HostPort.format(listen));
        }
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put(LISTEN, HostPort.format(listen));
        n.put("removed", true);
        return n;
    }

    private JsonNode list() {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        ArrayNode forwards = n.putArray("forwards");
        forwarder.forwards().forEach(f -> forwards.add(forward(f)));
        ArrayNode remote = n.putArray("remoteForwards");
        for (RemoteForwardStatus s : forwarder.remoteForwards()) {
            ObjectNode o = remote.addObject();
            o.put("peer", s.forward().peer().toBase64());
            o.put(LISTEN, s.forward().listen().toString());
            o.put("target", s.forward().target().toString());
            o.put("listening", s.listening());
            o.put("problem", s.problem());
        }
        ArrayNode services = n.putArray("services");
        for (Service s : forwarder.services()) {
            ObjectNode o = services.addObject();
            o.put("name", s.name());
            o.put("target", s.target().toString());
            ArrayNode allow = o.putArray("allow");
            s.allow().stream().map(PublicKey::toBase64).sorted().forEach(allow::add);
        }
        ArrayNode socks = n.putArray("socks");
        forwarder.socksListeners().forEach(a -> socks.add(HostPort.format(a)));
        ForwardStats st = forwarder.stats();
        ObjectNode stats = n.putObject("stats");
        stats.put("connectionsOpened", st.connectionsOpened());
        stats.put("connectionsActive", st.connectionsActive());
        stats.put("connectionsRefused", st.connectionsRefused());
        stats.put("connectionsReset", st.connectionsReset());
        stats.put("bytesToPeers", st.bytesToPeers());
        stats.put("bytesFromPeers", st.bytesFromPeers());
        stats.put("bufferedBytes", st.bufferedBytes());
        ObjectNode refused = stats.putObject("refusedBy");
        st.refusedBy().forEach((reason, count) -> refused.put(reason.name().toLowerCase(Locale.ROOT).replace('_', '-'), count));
        return n;
    }

    private static ObjectNode forward(LocalForward f) {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put(LISTEN, HostPort.format(f.listen()));
        n.put(TO, f.peer().toBase64() + "/" + f.service());
        return n;
    }

    private static InetSocketAddress listen(ControlRequest r) throws ControlError {
        try {
            return HostPort.parse(r.string(LISTEN), true);
        } catch (IllegalArgumentException e) {
            throw new ControlError(ControlError.BAD_REQUEST, LISTEN + ": " + e.getMessage());
        }
    }
}
