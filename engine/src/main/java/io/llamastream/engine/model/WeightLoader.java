package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.DType;
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
        } else if (t.dtype() == DType.BF16) {
            // bf16 straight into the format, slices in parallel: each thread reads its rows with
            // positional reads into one reused buffer and quantizes them into disjoint rows.
            RowSink sink = sink(fmt, out, in);
            int rowsPerSlice = Math.max(1, SLICE / in);
            int slices = (out + rowsPerSlice - 1) / rowsPerSlice;
            pool.forRange(slices, (long) rowsPerSlice * in * 8, (from, to) -> {
                short[] buf = new short[Math.min(rowsPerSlice, out) * in];
                for (int s = from; s < to; s++) {
                    int r = s * rowsPerSlice;
                    int n = Math.min(rowsPerSlice, out - r);
                    reader.readBf16(f, t, (long) r * in, buf, 0, n * in);
                    sink.setRowsBf16(r, buf, 0, n);
                }
            });
            m = sink.matrix();
        } else {
            // Other dtypes through float32, slices in parallel.
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
        pool.forRange(experts, 6L * hidden * inter, (from, to) -> {
            ExpertSlices scratch = new ExpertSlices();
            for (int x = from; x < to; x++) {
                out[x] = expert(prefix, x, experts, hidden, inter, scratch);
            }
        });
        return out;
    }

    /**
     * Expert {@code x} alone from the stacked tensors: its slices start at element
     * {@code x * H * 2I} and {@code x * I * H}, past 2 GiB of the file for Scout's later experts.
     */
    public SwiGlu expert(String prefix, int x, int experts, int hidden, int inter) {
        return expert(prefix, x, experts, hidden, inter, new ExpertSlices());
    }

    /** One thread's reusable buffers for reading and transposing expert slices. */
    private static final class ExpertSlices {
        float[] slice = new float[0];
        float[] rowMajor = new float[0];
        short[] bits = new short[0];

        float[] slice(int n) {
            return slice.length >= n ? slice : (slice = new float[n]);
        }

        float[] rowMajor(int n) {
            return rowMajor.length >= n ? rowMajor : (rowMajor = new float[n]);
        }

        short[] bits(int n) {
            return bits.length >= n ? bits : (bits = new short[n]);
        }
    }

    private SwiGlu expert(String prefix, int x, int experts, int hidden, int inter, ExpertSlices scratch) {
        String gu = prefix + "experts.gate_up_proj";
        String dn = prefix + "experts.down_proj";
        TensorInfo gut = checked(gu, experts, hidden, 2L * inter);
        TensorInfo dnt = checked(dn, experts, inter, hidden);
        SafetensorsFile guf = checkpoint.fileOf(gu);
        SafetensorsFile dnf = checkpoint.fileOf(dn);
        if (format.quantizesExpertsInBands(gut.dtype(), dnt.dtype(), hidden, inter)) {
            // Every matrix here is blocked both ways, so each quantizes its own input-major bands.
            RowSink gate = sink(format, inter, hidden);
            RowSink up = sink(format, inter, hidden);
            RowSink down = sink(format, hidden, inter);
            // One band of 32 input rows at a time (256 KB at Llama 4's shapes, so it stays in L2):
            // read, then quantized straight into the matrices by the transposing quantizer.
            final int band = WeightFormat.BLOCK;
            short[] rows = scratch.bits(band * Math.max(2 * inter, hidden));
            long gu0 = (long) x * hidden * 2 * inter;
            for (int b = 0; b < hidden / band; b++) {
                reader.readBf16(guf, gut, gu0 + (long) b * band * 2 * inter, rows, 0, band * 2 * inter);
                gate.setBlockTransposedBf16(b, rows, 0, 2 * inter);
                up.setBlockTransposedBf16(b, rows, inter, 2 * inter);
            }
            long dn0 = (long) x * inter * hidden;
            for (int b = 0; b < inter / band; b++) {
                reader.readBf16(dnf, dnt, dn0 + (long) b * band * hidden, rows, 0, band * hidden);
                down.setBlockTransposedBf16(b, rows, 0, hidden);
            }
            return new SwiGlu(new Linear(counted(gate)), new Linear(counted(up)), new Linear(counted(down)));
        }
        if (gut.dtype() == DType.BF16 && dnt.dtype() == DType.BF16 && format != WeightFormat.F32) {
            // bf16 bits all the way: transposed as shorts and quantized from them, no float32 copy.
            short[] slice = scratch.bits(hidden * 2 * inter);
            reader.readBf16(guf, gut, (long) x * hidden * 2 * inter, slice, 0, hidden * 2 * inter);
            WeightMatrix gate = convertBf16(slice, 0, hidden, 2 * inter, inter);
            WeightMatrix up = convertBf16(slice, inter, hidden, 2 * inter, inter);
            reader.readBf16(dnf, dnt, (long) x * inter * hidden, slice, 0, inter * hidden);
            WeightMatrix down = convertBf16(slice, 0, inter, hidden, hidden);
            return new SwiGlu(new Linear(gate), new Linear(up), new Linear(down));
        }
        float[] slice = scratch.slice(hidden * 2 * inter);
        reader.readFloats(guf, gut, (long) x * hidden * 2 * inter, slice, 0, hidden * 2 * inter);
        float[] rowMajor = scratch.rowMajor(inter * hidden);
        transpose(slice, 0, hidden, 2 * inter, inter, rowMajor);
        WeightMatrix gate = convert(rowMajor, inter, hidden);
        transpose(slice, inter, hidden, 2 * inter, inter, rowMajor);
        WeightMatrix up = convert(rowMajor, inter, hidden);
        reader.readFloats(dnf, dnt, (long) x * inter * hidden, slice, 0, inter * hidden);
        transpose(slice, 0, inter, hidden, hidden, rowMajor);
        WeightMatrix down = convert(rowMajor, hidden, inter);
        return new SwiGlu(new Linear(gate), new Linear(up), new Linear(down));
    }

    private WeightMatrix counted(RowSink sink) {
        WeightMatrix m = sink.matrix();
        bytes.addAndGet(m.bytes());
        return m;
    }

    /**
     * The {@code [n, srcRows]} matrix of columns {@code colOff..colOff+n} of the input-major bf16
     * slice {@code src} (rows of {@code srcCols}), in the loader's (non-F32) format.
     */
    private WeightMatrix convertBf16(short[] src, int colOff, int srcRows, int srcCols, int n) {
        WeightFormat fmt = effective(srcRows);
        WeightMatrix m;
        if (fmt == WeightFormat.BF16) {
            short[] w = new short[n * srcRows];
            transpose(src, colOff, srcRows, srcCols, n, w);
            m = new Bf16Matrix(w, n, srcRows);
        } else {
            RowSink sink = sink(fmt, n, srcRows);
            setTransposed(sink, src, colOff, srcRows, srcCols, n);
            m = sink.matrix();
        }
        bytes.addAndGet(m.bytes());
        return m;
    }

    /**
     * Quantizes the transpose of columns {@code colOff..colOff+n} of the input-major bf16 slice
     * {@code src} into {@code sink} ({@code n} rows of {@code srcRows}, a multiple of the block).
     * A sink that {@link RowSink#transposes() transposes} (Q8, Q4) quantizes each band of 32 input
     * rows itself. Otherwise one 32 x 32 tile at a time: the tile is gathered transposed into a small
     * buffer that stays in L1 (the slice's power-of-two strides would make a direct transpose miss
     * on every element), and each of its rows is one block of one output row.
     */
    static void setTransposed(RowSink sink, short[] src, int colOff, int srcRows, int srcCols, int n) {
        final int tile = WeightFormat.BLOCK;
        if (sink.transposes()) {
            for (int b = 0; b < srcRows / tile; b++) {
                sink.setBlockTransposedBf16(b, src, b * tile * srcCols + colOff, srcCols);
            }
            return;
        }
        short[] t = new short[tile * tile];
        for (int b = 0; b < srcRows / tile; b++) {
            for (int j0 = 0; j0 < n; j0 += tile) {
                int jn = Math.min(tile, n - j0);
                for (int i = 0; i < tile; i++) {
                    int s = (b * tile + i) * srcCols + colOff + j0;
                    for (int j = 0; j < jn; j++) {
                        t[j * tile + i] = src[s + j];
                    }
                }
                for (int j = 0; j < jn; j++) {
                    sink.setBlockBf16(j0 + j, b, t, j * tile);
                }
            }
        }
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

    /**
     * The bf16 form of {@link #transpose(float[], int, int, int, int, float[])}, through a 32 x 32
     * tile buffer that stays in L1: each source and destination cache line is touched once, where
     * the slice's power-of-two strides make a direct tiled transpose miss on every element.
     */
    public static void transpose(short[] src, int colOff, int srcRows, int srcCols, int n, short[] dst) {
        final int tile = 32;
        short[] t = new short[tile * tile];
        for (int i0 = 0; i0 < srcRows; i0 += tile) {
            int in = Math.min(tile, srcRows - i0);
            for (int j0 = 0; j0 < n; j0 += tile) {
                int jn = Math.min(tile, n - j0);
                for (int i = 0; i < in; i++) {
                    int s = (i0 + i) * srcCols + colOff + j0;
                    for (int j = 0; j < jn; j++) {
                        t[j * tile + i] = src[s + j];
                    }
                }
                for (int j = 0; j < jn; j++) {
                    System.arraycopy(t, j * tile, dst, (j0 + j) * srcRows + i0, in);
                }
            }
        }
    }

    private WeightFormat effective(int cols) {
        return format.forWidth(cols);
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

        /** The same rows given as bfloat16 bits (exact for BF16, quantized straight from the bits otherwise). */
        void setRowsBf16(int firstRow, short[] src, int srcOff, int n);

        /** Row r's 32-value block b from bfloat16 bits at {@code src[off..]} (the block formats only). */
        void setBlockBf16(int r, int b, short[] src, int off);

        /**
         * Whether the format quantizes this matrix straight from input-major blocks (a transposing
         * quantizer: Q8 and Q4, for a multiple of 32 rows).
         */
        default boolean transposes() {
            return false;
        }

        /**
         * Block b of every row from 32 input-major rows (row r's value {@code b * 32 + i} at
         * {@code src[off + i * stride + r]}), when {@link #transposes()}.
         */
        default void setBlockTransposedBf16(int b, short[] src, int off, int stride) {
            throw new IllegalStateException("this sink does not quantize input-major bands: ask transposes() first");
        }

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

                    public void setRowsBf16(int r, short[] s, int o, int n) {
                        m.setRowBits(r, s, o, n);
                    }

                    public void setBlockBf16(int r, int b, short[] s, int o) {
                        m.setBits(r, b * WeightFormat.BLOCK, s, o, WeightFormat.BLOCK);
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

                    public void setRowsBf16(int r, short[] s, int o, int n) {
                        m.setRowsBf16(r, s, o, n);
                    }

                    public void setBlockBf16(int r, int b, short[] s, int o) {
                        m.setBlockBf16(r, b, s, o);
                    }

                    public boolean transposes() {
                        return rows % WeightFormat.BLOCK == 0;
                    }

                    public void setBlockTransposedBf16(int b, short[] s, int o, int stride) {
                        m.setBlockTransposedBf16(b, s, o, stride);
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

                    public void setRowsBf16(int r, short[] s, int o, int n) {
                        m.setRowsBf16(r, s, o, n);
                    }

                    public void setBlockBf16(int r, int b, short[] s, int o) {
                        m.setBlockBf16(r, b, s, o);
                    }

                    public boolean transposes() {
                        return rows % WeightFormat.BLOCK == 0;
                    }

                    public void setBlockTransposedBf16(int b, short[] s, int o, int stride) {
                        m.setBlockTransposedBf16(b, s, o, stride);
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
