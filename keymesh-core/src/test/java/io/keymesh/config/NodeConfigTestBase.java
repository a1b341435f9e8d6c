package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** What the config loader's tests share: keys, a config around a body, loading and its problems. */
abstract class NodeConfigTestBase {
    /** RFC 7748 section 6.1: Alice's private key, and her public key. */
    static final String PRIVATE = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
    static final String OWN_PUBLIC = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    static final String NETWORK = PresharedKey.of(filled(7)).toBase64();
    static final PublicKey PEER_1 = PrivateKey.of(filled(1)).publicKey();
    static final PublicKey PEER_2 = PrivateKey.of(filled(2)).publicKey();
    static final PublicKey PEER_3 = PrivateKey.of(filled(3)).publicKey();
    static final PublicKey PEER_4 = PrivateKey.of(filled(4)).publicKey();
    static final PublicKey PEER_5 = PrivateKey.of(filled(5)).publicKey();
    static final String VALID_KEYS = "valid keys: accept-members, aead, compression, control, crypto-workers, discovery, ecn, forwarding, forwards, listen, "
            + "metrics, network-key, network-key-file, peers, private-key, private-key-file, relay, remote-forwards, remote-listen, "
            + "services, socks, udp-io, web";

    @TempDir
    Path dir;

    static byte[] filled(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    /** A config with the two keys on lines 2 and 3 and {@code body} from line 4. */
    static String conf(String body) {
        return "keymesh {\n  private-key = \"" + PRIVATE + "\"\n  network-key = \"" + NETWORK + "\"\n" + body + "}\n";
    }

    LoadedNodeConfig load(String text) throws BadConfigException {
        return NodeConfigLoader.parse(text, dir);
    }

    List<String> problems(String text) {
        return assertThrows(BadConfigException.class, () -> load(text)).problems();
    }

    void assertProblem(String expected, String text) {
        assertEquals(List.of(expected), problems(text));
    }

    static InetSocketAddress address(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    /** A key as a quoted HOCON string. */
    static String q(PublicKey k) {
        return "\"" + k.toBase64() + "\"";
    }
}
