package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known answers for {@link HChaCha20}: draft-irtf-cfrg-xchacha-03 section 2.2.1. */
class HChaCha20Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] NONCE = HEX.parseHex("000000090000004a0000000031415927");
    /** "Resultant HChaCha20 subkey", the first and last rows of the state after 20 rounds. */
    private static final byte[] SUBKEY = HEX.parseHex("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");

    @Test
    void draftSection221() {
        byte[] out = new byte[32];
        HChaCha20.subkey(KEY, NONCE, 0, out);
        assertArrayEquals(SUBKEY, out);
    }

    @Test
    void nonceAtAnOffset() {
        byte[] nonce24 = new byte[24];
        System.arraycopy(NONCE, 0, nonce24, 5, 16);
        nonce24[0] = (byte) 0xff;
        nonce24[23] = (byte) 0xff;
        byte[] out = new byte[32];
        HChaCha20.subkey(KEY, nonce24, 5, out);
        assertArrayEquals(SUBKEY, out);
    }

    @Test
    void inputsAreNotModified() {
        byte[] key = KEY.clone();
        byte[] nonce = NONCE.clone();
        HChaCha20.subkey(key, nonce, 0, new byte[32]);
        assertArrayEquals(KEY, key);
        assertArrayEquals(NONCE, nonce);
    }
}
