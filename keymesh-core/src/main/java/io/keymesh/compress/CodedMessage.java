package io.keymesh.compress;

/**
 * The layout of a message on a coded channel direction (one whose STREAM frames are STREAM_CODED):
 * a codec byte, then what it says.
 * <pre>
 *   0x00 RAW               the message itself
 *   0x01 ZSTD              a zstd frame (RFC 8878) without magic number, with its content size
 *   0x02 ZSTD_DICTIONARY   dictionary id (4 bytes, big-endian)   a zstd frame as for ZSTD, made
 *                          with that dictionary (the frame itself names no dictionary)
 * </pre>
 * Each message is compressed on its own (no state from one message to the next). A sender uses a
 * codec only if the receiver's COMPRESSION frame offered it; a message that would not shrink goes
 * RAW. Other codec bytes are not defined; a receiver drops such a message and counts it.
 */
public final class CodedMessage {
    public static final int RAW = 0x00;
    public static final int ZSTD = 0x01;
    public static final int ZSTD_DICTIONARY = 0x02;
    /** The longest header: ZSTD_DICTIONARY's codec byte and dictionary id. */
    public static final int MAX_HEADER_LENGTH = 5;

    private CodedMessage() {}

    /** The header's length for {@code codec} (1, or 5 for {@link #ZSTD_DICTIONARY}). */
    public static int headerLength(int codec) {
        return codec == ZSTD_DICTIONARY ? MAX_HEADER_LENGTH : 1;
    }
}
