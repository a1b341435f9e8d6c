package io.keymesh.cli;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of
 * 16-bit big-endian words, an odd final byte padded with a zero byte. IPv4 headers (RFC 791
 * section 3.1) and ICMP messages (RFC 792) carry it.
 *
 * <p>To fill a checksum field, zero it and store {@link #of} of the covered bytes; to verify,
 * {@link #of} over the covered bytes including the field is 0. Stateless, thread-safe.
 */
final class InternetChecksum {
    private InternetChecksum() {}

    /** The checksum of {@code b[off..off+len)}, in 0..0xffff. */
    static int of(byte[] b, int off, int len) {
        long sum = 0;
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
