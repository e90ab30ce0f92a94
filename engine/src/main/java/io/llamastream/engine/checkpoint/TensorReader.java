package io.llamastream.engine.checkpoint;

import io.llamastream.engine.math.Bf16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads slices of safetensors tensors with positional reads ({@link SafetensorsFile#readBytes})
 * into one small reused buffer per thread (4 MiB, direct) instead of memory mappings, so converting a
 * checkpoint tensor by tensor never leaves gigabytes of mapped file pages in the process's resident set. BF16 and F32 are read this way; other floating
 * types fall back to {@link SafetensorsFile#readFloats(TensorInfo, long, float[], int, int)}.
 * Thread-safe.
 */
public final class TensorReader {
    private static final int CHUNK_BYTES = 1 << 22;

    /**
     * Each thread's read buffer, direct so the positional read lands in it with one copy (a heap
     * buffer costs the JDK's own direct bounce buffer and a second copy), and kept across calls so
     * a load makes almost no garbage for the collector to run on while the weights are built.
     */
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN));

    private static void checkRange(TensorInfo t, long first, int count) {
        if (first < 0 || count < 0 || first + count > t.elementCount()) {
            throw new IndexOutOfBoundsException(
                    t.name() + ": elements " + first + "+" + count + " of " + t.elementCount());
        }
    }

    /** Elements [first, first + count) of {@code t} as float32 into {@code dst[off..]}. */
    public void readFloats(SafetensorsFile f, TensorInfo t, long first, float[] dst, int off, int count) {
        checkRange(t, first, count);
        if (t.dtype() != DType.BF16 && t.dtype() != DType.F32) {
            f.readFloats(t, first, dst, off, count);
            return;
        }
        int width = t.dtype().bytes();
        ByteBuffer buf = BUFFER.get();
        short[] bits = t.dtype() == DType.BF16 ? new short[CHUNK_BYTES / 2] : null;
        int done = 0;
        while (done < count) {
            int n = Math.min(CHUNK_BYTES / width, count - done);
            read(f, t, first + done, width, n, buf);
            if (bits != null) {
                buf.asShortBuffer().get(bits, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[off + done + i] = Bf16.toFloat(bits[i]);
                }
            } else {
                buf.asFloatBuffer().get(dst, off + done, n);
            }
            done += n;
        }
    }

    /** Elements of {@code t} as bfloat16 bits: exact for BF16 tensors, rounded otherwise. */
    public void readBf16(SafetensorsFile f, TensorInfo t, long first, short[] dst, int off, int count) {
        checkRange(t, first, count);
        if (t.dtype() != DType.BF16) {
            float[] tmp = new float[Math.min(count, 1 << 20)];
            for (int done = 0; done < count; ) {
                int n = Math.min(tmp.length, count - done);
                readFloats(f, t, first + done, tmp, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[off + done + i] = Bf16.fromFloat(tmp[i]);
                }
                done += n;
            }
            return;
        }
        ByteBuffer buf = BUFFER.get();
        for (int done = 0; done < count; ) {
            int n = Math.min(CHUNK_BYTES / 2, count - done);
            read(f, t, first + done, 2, n, buf);
            buf.asShortBuffer().get(dst, off + done, n);
            done += n;
        }
    }

    private static void read(SafetensorsFile f, TensorInfo t, long element, int width, int n, ByteBuffer buf) {
        buf.clear().limit(n * width);
        f.readBytes(t, element * width, buf);
        buf.flip();
    }
}
