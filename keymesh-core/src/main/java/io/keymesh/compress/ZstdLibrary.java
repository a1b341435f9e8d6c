package io.keymesh.compress;

import com.github.luben.zstd.util.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether zstd-jni's native library loads on this platform. It is loaded on the first question, not
 * with the class path: a node that never compresses never loads it. Where it does not load, nodes
 * offer no compression and send raw messages; nothing fails. Thread-safe.
 */
public final class ZstdLibrary {
    private static final Logger log = LoggerFactory.getLogger(ZstdLibrary.class);
    private static volatile String failure;
    private static volatile boolean checked;

    private ZstdLibrary() {}

    /** True if zstd can be used here (the native library loaded). */
    public static boolean available() {
        if (!checked) {
            check();
        }
        return failure == null;
    }

    /** Why zstd cannot be used here, or null if it can. */
    public static String failure() {
        available();
        return failure;
    }

    private static synchronized void check() {
        if (checked) {
            return;
        }
        try {
            Native.load();
        } catch (Throwable e) { // UnsatisfiedLinkError, or anything else the loader throws
            failure = e.toString();
            log.warn("keymesh: zstd's native library does not load here ({}); channels send raw messages", failure);
        }
        checked = true;
    }
}
