package io.keymesh.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The COMPRESSION mesh frame ({@link MeshFrame#COMPRESSION} 0x32): what the sender decodes on the
 * channels of this connection ({@link CompressionOffer}). Each side sends one at the start of a
 * connection (again when its dictionaries change, with a higher version); it is sent reliably like
 * other channel control frames.
 * <pre>
 *   type 0x32   length (varint)
 *   version (varint)   flags (1 byte: bit 0 decodes zstd; other bits sent as 0, ignored)
 *   dictionaries: 0..32 × ( dictionary id (4 bytes, big-endian)   content hash (16 bytes) )
 * </pre>
 * The dictionaries fill the rest of the body. Stateless and thread-safe; reading never throws.
 */
public final class CompressionFrame {
    /** Dictionaries one frame lists, at most (640 bytes: the frame fits any packet). */
    public static final int MAX_DICTIONARIES = 32;
    /** Flag bit: the sender decodes zstd frames. */
    static final int FLAG_ZSTD = 0x01;

    private CompressionFrame() {}

    private static int bodyLength(CompressionOffer offer) {
        return VarInt.length(offer.version()) + 1 + offer.dictionaries().size() * DictionaryRef.WIRE_LENGTH;
    }

    /** Bytes the whole frame takes. */
    public static int frameLength(CompressionOffer offer) {
        return MeshFrame.frameLength(bodyLength(offer));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, CompressionOffer offer) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.COMPRESSION, bodyLength(offer));
        p += VarInt.write(b, p, offer.version());
        b[p++] = (byte) (offer.zstd() ? FLAG_ZSTD : 0);
        for (DictionaryRef d : offer.dictionaries()) {
            p += d.write(b, p);
        }
        return p - off;
    }

    /**
     * Reads a body.
     *
     * @return the offer, or null if the body is malformed: a truncated version, no flags byte, a
     *     partial dictionary or more than {@link #MAX_DICTIONARIES}
     */
    public static CompressionOffer read(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return null;
        }
        int end = bodyOff + bodyLen;
        long version = VarInt.read(b, bodyOff, end);
        if (version < 0) {
            return null;
        }
        int p = bodyOff + VarInt.encodedLength(b[bodyOff]);
        if (p >= end) {
            return null;
        }
        boolean zstd = (b[p++] & FLAG_ZSTD) != 0;
        int rest = end - p;
        if (rest % DictionaryRef.WIRE_LENGTH != 0 || rest / DictionaryRef.WIRE_LENGTH > MAX_DICTIONARIES) {
            return null;
        }
        List<DictionaryRef> dictionaries = new ArrayList<>(rest / DictionaryRef.WIRE_LENGTH);
        for (; p < end; p += DictionaryRef.WIRE_LENGTH) {
            dictionaries.add(DictionaryRef.read(b, p));
        }
        return new CompressionOffer(version, zstd, dictionaries);
    }
}
