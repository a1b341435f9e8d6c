package io.keymesh.session;

import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.X25519;
import java.util.Arrays;

/**
 * The Noise {@code IKpsk2} handshake pattern (Noise specification revision 34, sections 7.5 and 9):
 * <pre>
 *   IKpsk2:
 *     &lt;- s
 *     ...
 *     -&gt; e, es, s, ss
 *     &lt;- e, ee, se, psk
 * </pre>
 * The protocol name and prologue are parameters, so the same code runs WireGuard
 * ({@link ProtocolConstants#CONSTRUCTION}, {@link ProtocolConstants#IDENTIFIER}) and the published
 * Noise test vectors. Ephemeral private keys are passed in by the caller (random in use, fixed in tests).
 * With a psk modifier, every {@code e} token also calls MixKey(e.public).
 *
 * <p>Not thread-safe; one instance is one handshake, used once. A read that fails (returns null)
 * leaves the instance unusable. All-zero Diffie-Hellman results are rejected.
 */
final class NoiseIKpsk2 {
    /** Length of message A without payload: e (32) + encrypted s (32 + 16). */
    static final int MESSAGE_A_OVERHEAD = 32 + 48 + ChaCha20Poly1305.TAG_LENGTH;
    /** Length of message B without payload: e (32) + tag. */
    static final int MESSAGE_B_OVERHEAD = 32 + ChaCha20Poly1305.TAG_LENGTH;

    private final ChaCha20Poly1305 aead;
    private final PrivateKey localStatic;
    private SymmetricState state;
    private PublicKey remoteStatic;
    private byte[] localEphemeral;
    private byte[] remoteEphemeral;

    private NoiseIKpsk2(ChaCha20Poly1305 aead, PrivateKey localStatic, SymmetricState state, PublicKey remoteStatic) {
        this.aead = aead;
        this.localStatic = localStatic;
        this.state = state;
        this.remoteStatic = remoteStatic;
    }

    /** The state before any message for a handshake with {@code responderStatic}: after the pre-message {@code <- s}. */
    static SymmetricState initialState(String protocolName, byte[] prologue, PublicKey responderStatic) {
        SymmetricState s = SymmetricState.initialize(protocolName, prologue);
        s.mixHash(responderStatic.toBytes());
        return s;
    }

    /** An initiator handshake from {@code initial} (see {@link #initialState}); the state is copied. */
    static NoiseIKpsk2 initiator(ChaCha20Poly1305 aead, SymmetricState initial, PrivateKey localStatic, PublicKey remoteStatic) {
        return new NoiseIKpsk2(aead, localStatic, initial.copy(), remoteStatic);
    }

    /** A responder handshake from {@code initial} (made with the responder's own public key); the state is copied. */
    static NoiseIKpsk2 responder(ChaCha20Poly1305 aead, SymmetricState initial, PrivateKey localStatic) {
        return new NoiseIKpsk2(aead, localStatic, initial.copy(), null);
    }

    /** Initiator: {@code -> e, es, s, ss} then the encrypted payload. */
    byte[] writeMessageA(byte[] ephemeralPrivate, byte[] payload) {
        localEphemeral = ephemeralPrivate.clone();
        byte[] e = X25519.publicKey(localEphemeral);
        state.mixHash(e);
        state.mixKey(e);
        if (!mixDh(localEphemeral, remoteStatic.toBytes())) {
            throw new IllegalArgumentException("remote static key is of low order");
        }
        byte[] encStatic = state.encryptAndHash(aead, localStatic.publicKey().toBytes());
        if (!mixDh(localStatic, remoteStatic)) {
            throw new IllegalArgumentException("remote static key is of low order");
        }
        byte[] encPayload = state.encryptAndHash(aead, payload);
        return concat(e, encStatic, encPayload);
    }

    /** Responder: reads message A; returns its payload, or null if it does not authenticate. */
    byte[] readMessageA(byte[] message) {
        if (message.length < MESSAGE_A_OVERHEAD) {
            return null;
        }
        remoteEphemeral = Arrays.copyOfRange(message, 0, 32);
        state.mixHash(remoteEphemeral);
        state.mixKey(remoteEphemeral);
        if (!mixDh(localStatic, PublicKey.of(remoteEphemeral))) {
            return null;
        }
        byte[] rs = state.decryptAndHash(aead, Arrays.copyOfRange(message, 32, 80));
        if (rs == null) {
            return null;
        }
        remoteStatic = PublicKey.of(rs);
        if (!mixDh(localStatic, remoteStatic)) {
            return null;
        }
        return state.decryptAndHash(aead, Arrays.copyOfRange(message, 80, message.length));
    }

    /** Responder: {@code <- e, ee, se, psk} then the encrypted payload. */
    byte[] writeMessageB(byte[] ephemeralPrivate, byte[] psk, byte[] payload) {
        localEphemeral = ephemeralPrivate.clone();
        byte[] e = X25519.publicKey(localEphemeral);
        state.mixHash(e);
        state.mixKey(e);
        if (!mixDh(localEphemeral, remoteEphemeral) || !mixDh(localEphemeral, remoteStatic.toBytes())) {
            throw new IllegalArgumentException("remote key is of low order");
        }
        state.mixKeyAndHash(psk);
        byte[] encPayload = state.encryptAndHash(aead, payload);
        return concat(e, encPayload, new byte[0]);
    }

    /**
     * Initiator: reads message B; returns its payload, or null if it does not authenticate. A message
     * that fails leaves this handshake as it was, so a forged response cannot spoil a genuine one.
     */
    byte[] readMessageB(byte[] message, byte[] psk) {
        if (message.length < MESSAGE_B_OVERHEAD) {
            return null;
        }
        SymmetricState saved = state;
        state = saved.copy();
        byte[] re = Arrays.copyOfRange(message, 0, 32);
        state.mixHash(re);
        state.mixKey(re);
        byte[] payload = null;
        if (mixDh(localEphemeral, re) && mixDh(localStatic, PublicKey.of(re))) {
            state.mixKeyAndHash(psk);
            payload = state.decryptAndHash(aead, Arrays.copyOfRange(message, 32, message.length));
        }
        if (payload == null) {
            state.wipe();
            state = saved;
            return null;
        }
        saved.wipe();
        remoteEphemeral = re;
        return payload;
    }

    /** The peer's static key: known from the start to an initiator, after message A to a responder. */
    PublicKey remoteStatic() {
        return remoteStatic;
    }

    /** Split(): {@code [initiator→responder key, responder→initiator key]}. */
    byte[][] split() {
        return state.split();
    }

    byte[] handshakeHash() {
        return state.handshakeHash();
    }

    /** Zeroes every secret this handshake holds. */
    void wipe() {
        state.wipe();
        if (localEphemeral != null) {
            Arrays.fill(localEphemeral, (byte) 0);
        }
    }

    private boolean mixDh(byte[] privateKey, byte[] publicKey) {
        byte[] dh = new byte[32];
        boolean ok = X25519.sharedSecret(privateKey, publicKey, dh, 0);
        if (ok) {
            state.mixKey(dh);
        }
        Arrays.fill(dh, (byte) 0);
        return ok;
    }

    private boolean mixDh(PrivateKey privateKey, PublicKey publicKey) {
        byte[] dh = new byte[32];
        boolean ok = privateKey.sharedSecret(publicKey, dh, 0);
        if (ok) {
            state.mixKey(dh);
        }
        Arrays.fill(dh, (byte) 0);
        return ok;
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
