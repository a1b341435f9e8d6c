package io.keymesh.config;

import com.typesafe.config.ConfigUtil;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * A node configuration read from a file, and where its secrets came from. The private key in
 * {@link #node()} belongs to whoever loaded it: close it when done.
 *
 * @param node the configuration to start a node with
 * @param privateKeyFile the file the private key was read from, or null if it was inline
 * @param networkKeyFile the file the network key was read from, or null if it was inline
 * @param warnings things that work but deserve attention (a key file others can read)
 */
public record LoadedNodeConfig(NodeConfig node, Path privateKeyFile, Path networkKeyFile, List<String> warnings) {
    public LoadedNodeConfig {
        warnings = List.copyOf(warnings);
    }

    /** The effective configuration as HOCON, without secrets: inline keys show as {@code "(secret)"}. */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("# effective configuration; secrets are not shown\n");
        s.append("# public key of this node: ").append(node.privateKey().publicKey().toBase64()).append('\n');
        s.append("keymesh {\n");
        secret(s, "private-key", privateKeyFile);
        s.append("  listen = ").append(quote(HostPort.format(node.listen()))).append('\n');
        secret(s, "network-key", networkKeyFile);
        s.append("  aead = ").append(node.aead()).append('\n');
        if (node.peers().isEmpty()) {
            s.append("  peers = []\n");
        } else {
            s.append("  peers = [\n");
            for (PeerConfig p : node.peers()) {
                s.append("    {\n");
                s.append("      public-key = ").append(quote(p.publicKey().toBase64())).append('\n');
                s.append("      endpoint = ").append(p.endpoint() == null ? "null" : quote(HostPort.format(p.endpoint()))).append('\n');
                s.append("      persistent-keepalive = ").append(p.persistentKeepaliveSeconds()).append("s\n");
                s.append("      wireguard = ").append(p.wireGuardCompatible()).append('\n');
                s.append("    }\n");
            }
            s.append("  ]\n");
        }
        s.append("}\n");
        return s.toString();
    }

    private static void secret(StringBuilder s, String key, Path file) {
        if (file != null) {
            s.append("  ").append(key).append("-file = ").append(quote(file.toString())).append('\n');
        } else {
            s.append("  ").append(key).append(" = \"(secret)\"\n");
        }
    }

    private static String quote(String text) {
        return ConfigUtil.quoteString(text);
    }
}
