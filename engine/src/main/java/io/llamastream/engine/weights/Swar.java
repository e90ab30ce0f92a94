package io.llamastream.engine.weights;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time in a long, for the K-quant repacks at load and the quantizers' byte
 * transpose: little-endian reads and writes of a byte array, and per-byte masks. Byte i of the long is byte i of the array, so any
 * per-byte operation that carries nothing across bytes works lane by lane.
 */
final class Swar {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The low nibble of every byte. */
    static final long LOW_NIBBLES = 0x0F0F0F0F0F0F0F0FL;
    /** The low two bits of every byte. */
    static final long BYTES_OF_3 = 0x0303030303030303L;
    /** The low bit of every byte. */
    static final long BYTES_OF_1 = 0x0101010101010101L;

    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long BYTES_OF_32 = 0x2020202020202020L;

    private Swar() {}

    static long get(byte[] b, int off) {
        return (long) LONGS.get(b, off);
    }

    static void set(byte[] b, int off, long v) {
        LONGS.set(b, off, v);
    }

    /**
     * Every byte (each in [0, 127]) minus 32, as two's-complement bytes: with each byte's top bit
     * set first no byte borrows from the next, and flipping the top bit back gives the result.
     */
    static long minus32(long v) {
        return ((v | HIGH_BITS) - BYTES_OF_32) ^ HIGH_BITS;
    }
}
