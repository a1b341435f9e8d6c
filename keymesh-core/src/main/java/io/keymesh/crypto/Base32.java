package io.keymesh.crypto;

/**
 * RFC 4648 base32, lowercase, without padding: the form of a node key in URI host names
 * (52 characters for 32 bytes, a valid DNS label). The JDK has no base32 codec; this is the
 * 40-line one rather than a dependency.
 *
 * <p>Stateless and thread-safe.
 */
public final class Base32 {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private Base32() {}

    /** Encodes {@code data} as lowercase base32 without padding. */
    public static String encode(byte[] data) {
        StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }

    /**
     * Decodes base32 without padding; upper- and lowercase letters are accepted.
     *
     * @throws IllegalArgumentException on a character outside the alphabet, an impossible length,
     *     or non-zero trailing bits (a non-canonical encoding)
     */
    public static byte[] decode(String text) {
        int n = text.length();
        int rem = n % 8;
        if (rem == 1 || rem == 3 || rem == 6) {
            throw new IllegalArgumentException("not base32: impossible length " + n);
        }
        byte[] out = new byte[n * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int pos = 0;
        for (int i = 0; i < n; i++) {
            int v = value(text.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("not base32: character '" + text.charAt(i) + "' at " + i);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[pos++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("not base32: non-zero trailing bits");
        }
        return out;
    }

    private static int value(char c) {
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= '2' && c <= '7') {
            return c - '2' + 26;
        }
        return -1;
    }
}
