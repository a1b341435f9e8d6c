package io.keymesh.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little- and big-endian integer access on byte arrays. Stateless, thread-safe. */
public final class Bytes {
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {}

    public static int getIntLE(byte[] b, int off) {
        return (int) LE32.get(b, off);
    }

    public static void putIntLE(byte[] b, int off, int v) {
        LE32.set(b, off, v);
    }

    public static long getLongLE(byte[] b, int off) {
        return (long) LE64.get(b, off);
    }

    public static void putLongLE(byte[] b, int off, long v) {
        LE64.set(b, off, v);
    }

    public static int getUnsignedShortBE(byte[] b, int off) {
        return ((short) BE16.get(b, off)) & 0xffff;
    }

    public static void putShortBE(byte[] b, int off, int v) {
        BE16.set(b, off, (short) v);
    }

    public static int getIntBE(byte[] b, int off) {
        return (int) BE32.get(b, off);
    }

    public static void putIntBE(byte[] b, int off, int v) {
        BE32.set(b, off, v);
    }

    public static long getLongBE(byte[] b, int off) {
        return (long) BE64.get(b, off);
    }

    public static void putLongBE(byte[] b, int off, long v) {
        BE64.set(b, off, v);
    }
}
