package io.llamastream.engine.quant;

import io.llamastream.engine.safetensors.DType;
import io.llamastream.engine.safetensors.ModelFormatException;
import io.llamastream.engine.safetensors.SafetensorsFile;
import io.llamastream.engine.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads slices of safetensors tensors with positional reads into small heap buffers instead of
 * memory mappings, so converting a checkpoint tensor by tensor never leaves gigabytes of mapped
 * file pages in the process's resident set. BF16 and F32 are read this way; other floating
 * types fall back to {@link SafetensorsFile#readFloats(TensorInfo, long, float[], int, int)}.
 * Thread-safe.
 */
final class TensorReader implements AutoCloseable {
    private static final int CHUNK_BYTES = 1 << 22;

    private final Map<Path, FileChannel> channels = new HashMap<>();
    private final Map<Path, Long> dataStarts = new HashMap<>();

    private synchronized FileChannel channel(SafetensorsFile f) {
        FileChannel ch = channels.get(f.path());
        if (ch == null) {
            try {
                ch = FileChannel.open(f.path(), StandardOpenOption.READ);
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, len, 0);
                dataStarts.put(f.path(), 8 + len.flip().getLong());
            } catch (IOException e) {
                throw new ModelFormatException(f.path(), "cannot read: " + e.getMessage(), e);
            }
            channels.put(f.path(), ch);
        }
        return ch;
    }

    private synchronized long dataStart(SafetensorsFile f) {
        channel(f);
        return dataStarts.get(f.path());
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static void checkRange(TensorInfo t, long first, int count) {
        if (first < 0 || count < 0 || first + count > t.elementCount()) {
            throw new IndexOutOfBoundsException(t.name() + ": elements " + first + "+" + count + " of " + t.elementCount());
        }
    }

    /** Elements [first, first + count) of {@code t} as float32 into {@code dst[off..]}. */
    void readFloats(SafetensorsFile f, TensorInfo t, long first, float[] dst, int off, int count) {
        checkRange(t, first, count);
        if (t.dtype() != DType.BF16 && t.dtype() != DType.F32) {
            f.readFloats(t, first, dst, off, count);
            return;
        }
        int width = t.dtype().bytes();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        short[] bits = t.dtype() == DType.BF16 ? new short[CHUNK_BYTES / 2] : null;
        int done = 0;
        while (done < count) {
            int n = Math.min(CHUNK_BYTES / width, count - done);
            read(f, t, first + done, width, n, buf);
            if (bits != null) {
                buf.asShortBuffer().get(bits, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[off + done + i] = Float.intBitsToFloat((bits[i] & 0xFFFF) << 16);
                }
            } else {
                buf.asFloatBuffer().get(dst, off + done, n);
            }
            done += n;
        }
    }

    /** Elements of {@code t} as bfloat16 bits: exact for BF16 tensors, rounded otherwise. */
    void readBf16(SafetensorsFile f, TensorInfo t, long first, short[] dst, int off, int count) {
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
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < count; ) {
            int n = Math.min(CHUNK_BYTES / 2, count - done);
            read(f, t, first + done, 2, n, buf);
            buf.asShortBuffer().get(dst, off + done, n);
            done += n;
        }
    }

    private void read(SafetensorsFile f, TensorInfo t, long element, int width, int n, ByteBuffer buf) {
        buf.clear().limit(n * width);
        try {
            readFully(channel(f), buf, dataStart(f) + t.begin() + element * width);
        } catch (IOException e) {
            throw new ModelFormatException(f.path(), "cannot read tensor '" + t.name() + "': " + e.getMessage(), e);
        }
        buf.flip();
    }

    @Override
    public synchronized void close() {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Read-only channel: nothing to flush.
            }
        }
        channels.clear();
    }
}
