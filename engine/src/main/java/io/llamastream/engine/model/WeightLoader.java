package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.checkpoint.TensorInfo;
import io.llamastream.engine.checkpoint.TensorReader;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.Bf16Matrix;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.weights.F32Matrix;
import io.llamastream.engine.weights.Q4Matrix;
import io.llamastream.engine.weights.Q8Matrix;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds weight matrices of a checkpoint in a chosen {@link WeightFormat}, one tensor (and, for
 * the stacked expert tensors, one expert) at a time from slices read off the file, so float32
 * copies of the whole model never exist. Matrices whose width is not a multiple of the block
 * size fall back to BF16 under Q8/Q4. Counts the bytes of everything it built.
 */
public final class WeightLoader {
    /** Float elements converted per slice when streaming a 2-D tensor. */
    private static final int SLICE = 1 << 20;

    private final Checkpoint checkpoint;
    private final WeightFormat format;
    private final ComputePool pool;
    private final TensorReader reader = new TensorReader();
    private final AtomicLong bytes = new AtomicLong();

    public WeightLoader(Checkpoint checkpoint, WeightFormat format, ComputePool pool) {
        this.checkpoint = checkpoint;
        this.format = format;
        this.pool = pool;
    }

    public WeightFormat format() {
        return format;
    }

    /** Bytes of all matrices, tables and vectors built so far. */
    public long bytes() {
        return bytes.get();
    }

    private TensorInfo checked(String name, long... shape) {
        return checkpoint.checkedInfo(name, shape);
    }

    /** A small float32 tensor (norm weights, router), read whole. */
    public float[] floats(String name, long... shape) {
        float[] v = checkpoint.floats(name, shape);
        bytes.addAndGet((long) v.length * Float.BYTES);
        return v;
    }

    /** A float32 linear map regardless of the format (the router). */
    public Linear f32Linear(String name, int out, int in) {
        return new Linear(new F32Matrix(floats(name, out, in), out, in));
    }

    /** A {@code [out, in]} weight in the loader's format, streamed in row slices. */
    public Linear linear(String name, int out, int in) {
        TensorInfo t = checked(name, out, in);
        SafetensorsFile f = checkpoint.fileOf(name);
        WeightFormat fmt = effective(in);
        WeightMatrix m;
        if (fmt == WeightFormat.F32) {
            float[] w = new float[Math.multiplyExact(out, in)];
            reader.readFloats(f, t, 0, w, 0, w.length);
            m = new F32Matrix(w, out, in);
        } else if (fmt == WeightFormat.BF16) {
            short[] w = new short[Math.multiplyExact(out, in)];
            reader.readBf16(f, t, 0, w, 0, w.length);
            m = new Bf16Matrix(w, out, in);
        } else {
            // Slices in parallel: each thread reads its rows with positional reads and quantizes
            // them into disjoint rows of the matrix.
            RowSink sink = sink(fmt, out, in);
            int rowsPerSlice = Math.max(1, SLICE / in);
            int slices = (out + rowsPerSlice - 1) / rowsPerSlice;
            pool.forEach(slices, (long) rowsPerSlice * in * 64, s -> {
                int r = s * rowsPerSlice;
                int n = Math.min(rowsPerSlice, out - r);
                float[] buf = new float[n * in];
                reader.readFloats(f, t, (long) r * in, buf, 0, n * in);
                sink.setRows(r, buf, 0, n);
            });
            m = sink.matrix();
        }
        bytes.addAndGet(m.bytes());
        return new Linear(m);
    }

    /** The token embedding table: float32 under F32, else the checkpoint's bf16 bits. */
    public Embeddings embeddings(String name, int vocab, int hidden) {
        TensorInfo t = checked(name, vocab, hidden);
        SafetensorsFile f = checkpoint.fileOf(name);
        Embeddings e;
        if (format == WeightFormat.F32) {
            float[] w = new float[Math.multiplyExact(vocab, hidden)];
            reader.readFloats(f, t, 0, w, 0, w.length);
            e = Embeddings.ofFloats(w, vocab, hidden);
        } else {
            short[] w = new short[Math.multiplyExact(vocab, hidden)];
            reader.readBf16(f, t, 0, w, 0, w.length);
            e = Embeddings.ofBf16(w, vocab, hidden);
        }
        bytes.addAndGet(e.bytes());
        return e;
    }

    /**
     * The routed experts of a MoE layer from the stacked, input-major tensors
     * {@code gate_up_proj [E, H, 2I]} and {@code down_proj [E, I, H]}: each expert's slice is read,
     * transposed to row-major {@code [out, in]} and converted, experts in parallel on the pool.
     */
    public SwiGlu[] experts(String prefix, int experts, int hidden, int inter) {
        SwiGlu[] out = new SwiGlu[experts];
        pool.forEach(experts, 6L * hidden * inter, x -> out[x] = expert(prefix, x, experts, hidden, inter));
        return out;
    }

    /**
     * Expert {@code x} alone from the stacked tensors: its slices start at element
     * {@code x * H * 2I} and {@code x * I * H}, past 2 GiB of the file for Scout's later experts.
     */
    public SwiGlu expert(String prefix, int x, int experts, int hidden, int inter) {
        String gu = prefix + "experts.gate_up_proj";
        String dn = prefix + "experts.down_proj";
        TensorInfo gut = checked(gu, experts, hidden, 2L * inter);
        TensorInfo dnt = checked(dn, experts, inter, hidden);
        SafetensorsFile guf = checkpoint.fileOf(gu);
        SafetensorsFile dnf = checkpoint.fileOf(dn);
        float[] slice = new float[hidden * 2 * inter];
        reader.readFloats(guf, gut, (long) x * hidden * 2 * inter, slice, 0, slice.length);
        float[] rowMajor = new float[inter * hidden];
        transpose(slice, 0, hidden, 2 * inter, inter, rowMajor);
        WeightMatrix gate = convert(rowMajor, inter, hidden);
        transpose(slice, inter, hidden, 2 * inter, inter, rowMajor);
        WeightMatrix up = convert(rowMajor, inter, hidden);
        reader.readFloats(dnf, dnt, (long) x * inter * hidden, slice, 0, inter * hidden);
        transpose(slice, 0, inter, hidden, hidden, rowMajor);
        WeightMatrix down = convert(rowMajor, hidden, inter);
        return new SwiGlu(new Linear(gate), new Linear(up), new Linear(down));
    }

    /**
     * {@code dst[j, i] = src[i, colOff + j]} for i < srcRows, j < n, where src rows have
     * {@code srcCols} values: dst is {@code [n, srcRows]}. Tiled so both sides stay in cache.
     */
    public static void transpose(float[] src, int colOff, int srcRows, int srcCols, int n, float[] dst) {
        final int tile = 32;
        for (int i0 = 0; i0 < srcRows; i0 += tile) {
            int i1 = Math.min(srcRows, i0 + tile);
            for (int j0 = 0; j0 < n; j0 += tile) {
                int j1 = Math.min(n, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    int s = i * srcCols + colOff;
                    for (int j = j0; j < j1; j++) {
                        dst[j * srcRows + i] = src[s + j];
                    }
                }
            }
        }
    }

    private WeightFormat effective(int cols) {
        if ((format == WeightFormat.Q8 || format == WeightFormat.Q4) && cols % WeightFormat.BLOCK != 0) {
            return WeightFormat.BF16;
        }
        return format;
    }

    /** Converts a row-major float32 matrix (which the caller may reuse afterwards). */
    WeightMatrix convert(float[] w, int rows, int cols) {
        WeightFormat fmt = effective(cols);
        WeightMatrix m;
        if (fmt == WeightFormat.F32) {
            m = new F32Matrix(Arrays.copyOf(w, rows * cols), rows, cols);
        } else {
            RowSink sink = sink(fmt, rows, cols);
            sink.setRows(0, w, 0, rows);
            m = sink.matrix();
        }
        bytes.addAndGet(m.bytes());
        return m;
    }

    /** Converts a row-major float32 matrix to {@code format} (for tests and benchmarks). */
    public static WeightMatrix fromFloats(WeightFormat format, float[] w, int rows, int cols) {
        return format.fromFloats(w, rows, cols);
    }

    interface RowSink {
        void setRows(int firstRow, float[] src, int srcOff, int n);

        WeightMatrix matrix();
    }

    static RowSink sink(WeightFormat fmt, int rows, int cols) {
        switch (fmt) {
            case BF16: {
                Bf16Matrix m = new Bf16Matrix(rows, cols);
                return new RowSink() {
                    public void setRows(int r, float[] s, int o, int n) {
                        m.setRows(r, s, o, n);
                    }

                    public WeightMatrix matrix() {
                        return m;
                    }
                };
            }
            case Q8: {
                Q8Matrix m = new Q8Matrix(rows, cols);
                return new RowSink() {
                    public void setRows(int r, float[] s, int o, int n) {
                        m.setRows(r, s, o, n);
                    }

                    public WeightMatrix matrix() {
                        return m;
                    }
                };
            }
            case Q4: {
                Q4Matrix m = new Q4Matrix(rows, cols);
                return new RowSink() {
                    public void setRows(int r, float[] s, int o, int n) {
                        m.setRows(r, s, o, n);
                    }

                    public WeightMatrix matrix() {
                        return m;
                    }
                };
            }
            default:
                throw new IllegalArgumentException("no row sink for " + fmt);
        }
    }
}
