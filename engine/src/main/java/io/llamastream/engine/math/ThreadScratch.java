package io.llamastream.engine.math;

/**
 * Per-thread scratch arrays, reused across calls and grown to the largest size asked of them, so a kernel or a
 * loader that needs working space on every call makes no garbage. A scratch array's contents are the caller's
 * until its next call on the same thread; holding one across a call that may use the same scratch is a bug.
 */
public final class ThreadScratch {
    private ThreadScratch() {}

    /** A per-thread {@code float[]}. */
    public static final class Floats {
        private final ThreadLocal<float[]> local = new ThreadLocal<>();

        /** This thread's array, at least {@code n} long (contents undefined). */
        public float[] atLeast(int n) {
            float[] a = local.get();
            if (a == null || a.length < n) {
                a = new float[n];
                local.set(a);
            }
            return a;
        }
    }

    /** A per-thread {@code byte[]}. */
    public static final class Bytes {
        private final ThreadLocal<byte[]> local = new ThreadLocal<>();

        /** This thread's array, at least {@code n} long (contents undefined). */
        public byte[] atLeast(int n) {
            byte[] a = local.get();
            if (a == null || a.length < n) {
                a = new byte[n];
                local.set(a);
            }
            return a;
        }
    }
}
