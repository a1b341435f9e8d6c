package io.keymesh.bench;

import java.util.List;

/**
 * A named comparison that {@code bench/run NAME} runs: a keymesh benchmark (engines in their
 * default configuration) against its baseline, both JMH throughput benchmarks in this module, plus
 * benchmarks run alongside that explain the result. Units are per second of the operation each
 * benchmark counts.
 */
enum Comparison {
    SEAL("seal", "DataPathBenchmark.sealKeymesh", "DataPathBenchmark.sealJce", "packets/s",
            "SessionEngine.send of a 1400-byte payload in place (established session) vs a bare"
                    + " javax.crypto.Cipher ChaCha20-Poly1305 seal of 1400 bytes",
            "DataPathBenchmark.sealKeymeshPortable"),
    OPEN("open", "DataPathBenchmark.openKeymesh", "DataPathBenchmark.openJce", "packets/s",
            "SessionEngine.receive of a 1440-byte packet with a fresh counter (ring of pre-sealed packets)"
                    + " vs a bare Cipher ChaCha20-Poly1305 open; both first copy the packet from the ring",
            "DataPathBenchmark.openKeymeshPortable"),
    ROUNDTRIP("roundtrip", "DataPathBenchmark.roundTripKeymesh", "DataPathBenchmark.roundTripJce", "packets/s",
            "send by one engine, then receive by the other (no ring, no replay reset) vs a bare Cipher"
                    + " seal then open",
            "DataPathBenchmark.roundTripKeymeshPortable"),
    HANDSHAKE("handshake", "HandshakeBenchmark.handshakeKeymesh", "HandshakeBenchmark.x25519Agreement",
            "handshakes/s vs agreements/s",
            "complete handshakes (initiation, response, first transport packet) between two engines in"
                    + " memory vs raw BouncyCastle X25519 agreements (a handshake does 8, plus 2 key generations)",
            "HandshakeBenchmark.x25519PublicKey");

    final String id;
    final String keymesh;
    final String baseline;
    final String unit;
    final String description;
    /**
     * Benchmarks run alongside for context, not part of the final ratio: for the data path, the
     * same keymesh benchmark with the engine's allocation-free {@code Aead.portable()}.
     */
    final List<String> extras;

    Comparison(String id, String keymesh, String baseline, String unit, String description, String... extras) {
        this.id = id;
        this.keymesh = keymesh;
        this.baseline = baseline;
        this.unit = unit;
        this.description = description;
        this.extras = List.of(extras);
    }

    /** The comparison called {@code id}, or null. */
    static Comparison byId(String id) {
        for (Comparison c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        return null;
    }
}
