package io.keymesh.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.util.Arrays;

/**
 * Decodes the messages of coded channel directions ({@link CodedMessage}) with two zstd
 * decompression contexts made once and reused. What a peer sent is never trusted: a message is
 * dropped and counted, never thrown, if its codec is undefined, it names a dictionary this node
 * does not hold, zstd refuses it, or it would decompress to more than {@code maxMessage} bytes (the
 * channel's message limit) — checked against the frame's declared content size before anything is
 * allocated, and enforced by zstd while decompressing into exactly that much. The declared size may
 * also be at most {@link #MAX_RATIO} times the compressed length: what zstd's format can expand to
 * (RFC 8878: a block holds at most 128 KiB and takes at least 4 bytes), so a few bytes cannot make
 * the node allocate megabytes.
 *
 * <p>Not thread-safe: the node's loop thread owns one.
 */
public final class MessageDecoder implements AutoCloseable {
    /** The most a zstd frame can expand: a 128 KiB block from a 3-byte block header and one RLE byte. */
    public static final int MAX_RATIO = 32_768;

    private final DictionaryStore store;
    private final int maxMessage;
    private final CompressionCounters counters;
    /** The native contexts, released by {@link #close} or, for a decoder dropped unclosed, by the cleaner. */
    private final NativeContexts.Decompress contexts = new NativeContexts.Decompress();
    private Dictionary loaded;

    /**
     * @param store the dictionaries messages may name
     * @param maxMessage the most bytes a decoded message may have
     */
    public MessageDecoder(DictionaryStore store, int maxMessage, CompressionCounters counters) {
        this.store = store;
        this.maxMessage = maxMessage;
        this.counters = counters;
        NativeContexts.CLEANER.register(this, contexts);
    }

    /** The decoded message, or null if it was dropped (and counted). */
    public byte[] decode(byte[] coded) {
        if (coded.length == 0) {
            counters.corrupt.increment();
            return null;
        }
        int codec = coded[0] & 0xff;
        byte[] plainMessage = switch (codec) {
            case CodedMessage.RAW -> Arrays.copyOfRange(coded, 1, coded.length);
            case CodedMessage.ZSTD -> store.zstd() ? zstd(coded, 1, null) : corrupt();
            case CodedMessage.ZSTD_DICTIONARY -> dictionary(coded);
            default -> corrupt();
        };
        if (plainMessage != null) {
            counters.received.increment();
            counters.receivedCodedBytes.add(coded.length);
            counters.receivedPlainBytes.add(plainMessage.length);
        }
        return plainMessage;
    }

    private byte[] dictionary(byte[] coded) {
        if (coded.length < CodedMessage.MAX_HEADER_LENGTH || !store.zstd()) {
            return corrupt();
        }
        long id = (coded[1] & 0xffL) << 24 | (coded[2] & 0xffL) << 16 | (coded[3] & 0xffL) << 8 | (coded[4] & 0xffL);
        Dictionary d = store.byId(id);
        if (d == null) {
            counters.unknownDictionary.increment();
            return null;
        }
        return zstd(coded, CodedMessage.MAX_HEADER_LENGTH, d);
    }

    private byte[] zstd(byte[] coded, int off, Dictionary dictionary) {
        int len = coded.length - off;
        if (len <= 0) {
            return corrupt();
        }
        long size;
        try {
            size = Zstd.getFrameContentSize(coded, off, len, true);
        } catch (RuntimeException e) {
            return corrupt();
        }
        if (size < 0) {
            return corrupt(); // no size declared (we always declare it), or not a frame
        }
        if (size > maxMessage || size > (long) len * MAX_RATIO) {
            counters.bombs.increment();
            return null;
        }
        byte[] out = new byte[(int) size];
        int n;
        try {
            n = context(dictionary).decompressByteArray(out, 0, out.length, coded, off, len);
        } catch (RuntimeException e) { // ZstdException: corrupt, wrong dictionary, or more than declared
            String message = String.valueOf(e.getMessage());
            if (message.contains("Destination buffer is too small")) {
                counters.bombs.increment();
                return null;
            }
            return corrupt();
        }
        return n == out.length ? out : corrupt();
    }

    private ZstdDecompressCtx context(Dictionary dictionary) {
        if (dictionary == null) {
            if (contexts.plain == null) {
                contexts.plain = new ZstdDecompressCtx().setMagicless(true);
            }
            return contexts.plain;
        }
        if (contexts.withDictionary == null) {
            contexts.withDictionary = new ZstdDecompressCtx().setMagicless(true);
        }
        if (loaded != dictionary) {
            contexts.withDictionary.loadDict(dictionary.forDecompression());
            loaded = dictionary;
        }
        return contexts.withDictionary;
    }

    private byte[] corrupt() {
        counters.corrupt.increment();
        return null;
    }

    @Override
    public void close() {
        contexts.run();
        loaded = null;
    }
}
