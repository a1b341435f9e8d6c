package io.keymesh.node;

import io.keymesh.crypto.Aead;

/**
 * A thread's buffer and AEAD instances for {@link MeshNode#send}: the datagram is framed, encrypted
 * and sent from this buffer, so a send allocates nothing once the thread has sent its largest
 * datagram. One per thread, shared by every node the thread sends on; the buffer grows to the
 * largest packet the thread built and is freed with the thread.
 *
 * <p>Thread-confined: only the owning thread uses its scratch, and only during one send.
 */
final class SendScratch {
    private static final ThreadLocal<SendScratch> CURRENT = ThreadLocal.withInitial(SendScratch::new);

    private byte[] buffer = new byte[2048];
    private Aead jdk;
    private Aead portable;

    private SendScratch() {}

    /** The calling thread's scratch. */
    static SendScratch current() {
        return CURRENT.get();
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
