package io.keymesh.node;

import io.keymesh.crypto.Aead;
import io.keymesh.io.PerThread;

/**
 * A sending thread's buffer and AEAD instances for {@link MeshNode#send}: the datagram is framed,
 * encrypted and sent from this buffer, so a send allocates nothing once the scratch has served a
 * datagram as large. One per platform thread, shared by every node the thread sends on, freed
 * with the thread; virtual threads borrow one from a small shared pool for the length of a send
 * ({@link PerThread}). The buffer grows to the largest packet built in it.
 *
 * <p>Confined: between {@link #acquire} and {@link #release} only the acquiring thread uses it.
 */
final class SendScratch {
    private static final PerThread<SendScratch> SCRATCH = new PerThread<>(SendScratch::new);

    private byte[] buffer = new byte[2048];
    private Aead jdk;
    private Aead portable;

    private SendScratch() {}

    /** A scratch for the calling thread's use until {@link #release}. */
    static SendScratch acquire() {
        return SCRATCH.acquire();
    }

    /** Ends the calling thread's use of {@code s}. */
    static void release(SendScratch s) {
        SCRATCH.release(s);
    }

    /** The buffer, at least {@code length} bytes; its contents are the caller's to overwrite. */
    byte[] buffer(int length) {
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        return buffer;
    }

    /** This thread's instance of the AEAD named as in {@link Aead#named}. */
    Aead aead(String name) {
        return switch (name) {
            case "jdk" -> jdk != null ? jdk : (jdk = Aead.jdk());
            case "portable" -> portable != null ? portable : (portable = Aead.portable());
            default -> throw new IllegalArgumentException("unknown AEAD implementation '" + name + "'");
        };
    }
}
