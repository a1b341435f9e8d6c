package io.keymesh.compress;

import com.github.luben.zstd.ZstdCompressCtx;

/**
 * Codes messages for a coded channel direction ({@link CodedMessage}): compresses each with zstd,
 * with or without a dictionary, and sends it raw when that does not make it shorter. Holds two zstd
 * compression contexts (plain and with a dictionary) and a scratch buffer, made once and reused for
 * every message: no native context is made per message. Frames are written without magic number or
 * checksum (WireGuard already authenticates) and with their content size, which the receiver
 * checks before it allocates.
 *
 * <p>Not thread-safe: one per sending thread ({@code io.keymesh.io.PerThread}); the native contexts
 * are released by {@link #close}, or once the encoder is unreachable (a thread that ended). Needs
 * zstd's native library unless every message goes raw.
 */
public final class MessageEncoder implements AutoCloseable {
    /** Shorter messages go raw without trying: zstd's frame and block headers take about as much as they could save. */
    public static final int MIN_COMPRESS_LENGTH = 32;
    /** A scratch buffer grown past this for one large message is not kept. */
    private static final int MAX_KEPT_SCRATCH = 1 << 20;

    private final int level;
    /** The native contexts, released by {@link #close} or, for an encoder dropped unclosed (a thread's), by the cleaner. */
    private final NativeContexts.Compress contexts = new NativeContexts.Compress();
    private Dictionary loaded;
    private byte[] scratch = new byte[0];

    /** An encoder compressing at zstd level {@code level}. */
    public MessageEncoder(int level) {
        this.level = level;
        NativeContexts.CLEANER.register(this, contexts);
    }

    /**
     * The coded form of {@code message}: raw, or compressed with zstd ({@code dictionary} null) or
     * with {@code dictionary}, whichever is shorter.
     *
     * @param compress false: raw, without trying
     */
    public byte[] encode(byte[] message, boolean compress, Dictionary dictionary, CompressionCounters counters) {
        if (compress && message.length >= MIN_COMPRESS_LENGTH) {
            int codec = dictionary == null ? CodedMessage.ZSTD : CodedMessage.ZSTD_DICTIONARY;
            int header = CodedMessage.headerLength(codec);
            int bound = compressBound(message.length);
            if (scratch.length < header + bound) {
                scratch = new byte[header + bound];
            }
            ZstdCompressCtx ctx = context(dictionary);
            int n = ctx.compressByteArray(scratch, header, bound, message, 0, message.length);
            if (header + n < 1 + message.length) {
                byte[] coded = new byte[header + n];
                coded[0] = (byte) codec;
                if (dictionary != null) {
                    long id = dictionary.id();
                    coded[1] = (byte) (id >>> 24);
                    coded[2] = (byte) (id >>> 16);
                    coded[3] = (byte) (id >>> 8);
                    coded[4] = (byte) id;
                }
                System.arraycopy(scratch, header, coded, header, n);
                trimScratch();
                (dictionary == null ? counters.sentZstd : counters.sentDictionary).increment();
                counters.sentPlainBytes.add(message.length);
                counters.sentCodedBytes.add(coded.length);
                return coded;
            }
            trimScratch();
        }
        byte[] coded = new byte[1 + message.length];
        coded[0] = CodedMessage.RAW;
        System.arraycopy(message, 0, coded, 1, message.length);
        counters.sentRaw.increment();
        counters.sentPlainBytes.add(message.length);
        counters.sentCodedBytes.add(coded.length);
        return coded;
    }

    private void trimScratch() {
        if (scratch.length > MAX_KEPT_SCRATCH) {
            scratch = new byte[0];
        }
    }

    private ZstdCompressCtx context(Dictionary dictionary) {
        if (dictionary == null) {
            if (contexts.plain == null) {
                contexts.plain = newContext().setLevel(level);
            }
            return contexts.plain;
        }
        if (contexts.withDictionary == null) {
            contexts.withDictionary = newContext();
        }
        if (loaded != dictionary) {
            contexts.withDictionary.loadDict(dictionary.forCompression()); // a reference to the prepared dictionary
            loaded = dictionary;
        }
        return contexts.withDictionary;
    }

    private static ZstdCompressCtx newContext() {
        return new ZstdCompressCtx().setMagicless(true).setChecksum(false).setContentSize(true).setDictID(false);
    }

    /** zstd's ZSTD_COMPRESSBOUND: the most a frame of {@code n} bytes of input can take. */
    static int compressBound(int n) {
        long bound = n + ((long) n >>> 8) + (n < (128 << 10) ? ((128 << 10) - n) >>> 11 : 0);
        return (int) Math.min(Integer.MAX_VALUE - 16, bound);
    }

    @Override
    public void close() {
        contexts.run();
        loaded = null;
    }
}
