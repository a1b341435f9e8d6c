package io.keymesh.pekko;

import com.typesafe.config.Config;
import io.keymesh.config.BadConfigException;
import io.keymesh.config.LoadedNodeConfig;
import io.keymesh.config.NodeConfigLoader;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The keymesh nodes of this JVM, one per node key: actor systems configured with the same key
 * share one node (one UDP port) and differ by virtual port. The first actor system's {@code keymesh}
 * block starts the node; the node stops when its last actor system's transport shuts down.
 */
final class SharedNodes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SharedNodes.class);
    private static final Map<PublicKey, NodeMux> nodes = new HashMap<>();

    private SharedNodes() {}

    /**
     * The node described by the {@code keymesh} block of {@code systemConfig}, started if needed.
     *
     * @throws IllegalArgumentException with every problem of the block, one line each naming the key
     * @throws java.io.UncheckedIOException if the node's UDP address cannot be bound
     */
    static synchronized NodeMux acquire(Config systemConfig) {
        LoadedNodeConfig loaded;
        try {
            loaded = NodeConfigLoader.fromConfig(systemConfig, null);
        } catch (BadConfigException e) {
            throw new IllegalArgumentException("keymesh transport: bad keymesh configuration:\n  "
                    + String.join("\n  ", e.problems()), e);
        }
        NodeConfig config = loaded.node();
        PublicKey key = config.privateKey().publicKey();
        NodeMux mux = nodes.get(key);
        if (mux != null) {
            if (!mux.sameNode(config)) {
                log.warn("keymesh: an actor system joins the running node {} whose keymesh settings (listen, network key, "
                        + "peers, aead, channels) differ from its own keymesh block; the running node's apply", key.toBase32());
            }
            config.privateKey().close(); // the running node has its own copy
        } else {
            try {
                mux = new NodeMux(config);
            } catch (RuntimeException e) {
                config.privateKey().close();
                throw e;
            }
            nodes.put(key, mux);
        }
        mux.users++;
        return mux;
    }

    /** One actor system is done with {@code mux}; the last one stops the node. */
    static void release(NodeMux mux) {
        boolean last;
        synchronized (SharedNodes.class) {
            last = --mux.users == 0;
            if (last) {
                nodes.remove(mux.self(), mux);
            }
        }
        if (last) {
            mux.close();
        }
    }
}
