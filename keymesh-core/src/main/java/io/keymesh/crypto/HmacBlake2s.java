package io.keymesh.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * HMAC (RFC 2104) over BLAKE2s-256 with its 64-byte block, WireGuard's {@code HMAC}.
 *
 * <p>Stateless and thread-safe.
 */
public final class HmacBlake2s {
    /** Output length in bytes. */
    public static final int LENGTH = 32;

    private HmacBlake2s() {}

    /** HMAC(key, input) over the concatenation of {@code inputs}. */
    public static byte[] hmac(byte[] key, byte[]... inputs) {
        HMac mac = new HMac(new Blake2sDigest(256));
        mac.init(new KeyParameter(key));
        for (byte[] in : inputs) {
            mac.update(in, 0, in.length);
        }
        byte[] out = new byte[LENGTH];
        mac.doFinal(out, 0);
        return out;
    }
}
