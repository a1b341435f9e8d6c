package io.keymesh.compress;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.lang.ref.Cleaner;

/**
 * The zstd contexts of an encoder or decoder, held apart from it so that a {@link Cleaner} can
 * release their native memory once it is unreachable (zstd-jni's contexts have no finalizer, and an
 * encoder belongs to a thread that may end without closing it). Running one releases the contexts;
 * running it again does nothing.
 */
final class NativeContexts {
    static final Cleaner CLEANER = Cleaner.create();

    private NativeContexts() {}

    /** An encoder's two compression contexts, made on first use. */
    static final class Compress implements Runnable {
        ZstdCompressCtx plain;
        ZstdCompressCtx withDictionary;

        @Override
        public synchronized void run() {
            if (plain != null) {
                plain.close();
                plain = null;
            }
            if (withDictionary != null) {
                withDictionary.close();
                withDictionary = null;
            }
        }
    }

    /** A decoder's two decompression contexts, made on first use. */
    static final class Decompress implements Runnable {
        ZstdDecompressCtx plain;
        ZstdDecompressCtx withDictionary;

        @Override
        public synchronized void run() {
            if (plain != null) {
                plain.close();
                plain = null;
            }
            if (withDictionary != null) {
                withDictionary.close();
                withDictionary = null;
            }
        }
    }
}
