package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Architecture;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.checkpoint.gguf.GgufTensor;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.ThreadScratch;
import io.llamastream.engine.weights.Bf16Matrix;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.weights.F32Matrix;
import io.llamastream.engine.weights.Q4Matrix;
import io.llamastream.engine.weights.Q8Matrix;
import io.llamastream.engine.weights.StagedMatrix;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decoder weights of a GGUF file, by llama.cpp's tensor names ({@code blk.N.attn_q.weight},
 * split experts {@code ffn_{gate,up,down}_exps} stored {@code [E, out, in]}, {@code rope_freqs},
 * {@code output} falling back to the tied {@code token_embd}). The names are the same for every
 * llama-family architecture. Under {@link WeightFormat#NATIVE} each tensor keeps its type:
 * Q8_0 matrices are staged ({@link StagedMatrix}, listed by {@link #staged}): computed in place
 * from a mapping of the file until a background thread repacks each into a {@link Q8Matrix}, so a
 * Q8_0 model is ready once mapped (one over 2 GiB is repacked at load); Q4_0 blocks are copied
 * exactly into a {@link Q4Matrix} (the same layout with the f16 scale widened); the K-quants are
 * repacked exactly into the same kernels' layouts (Q4_K into a {@link Q4Matrix} with per-block
 * mins, Q5_K and Q6_K widened to int8 in a {@link Q8Matrix} with per-block mins or half-block
 * scales); BF16 is kept; F32/F16/Q4_1/Q5_0/Q5_1 are decoded to float32. A block-typed embedding
 * table is read from the mapping a row at a time. Any other format is reached by decoding to
 * float32 and converting, row slices at a time. Every tensor's type is checked when this is
 * created, before any weight is read.
 */
public final class GgufDecoderWeights implements DecoderWeights {
    /** Bytes read per slice when streaming a tensor's rows. */
    private static final int SLICE_BYTES = 1 << 20;

    private final GgufFile file;
    private final WeightFormat format;
    private final ComputePool pool;
    private final AtomicLong bytes = new AtomicLong();
    /** The matrices served from the file's mapping until they are repacked, in the order they were built. */
    private final Queue<StagedMatrix> staged = new ConcurrentLinkedQueue<>();

    public GgufDecoderWeights(GgufFile file, WeightFormat format, ComputePool pool) {
        this.file = file;
        this.format = format;
        this.pool = pool;
        for (GgufTensor t : file.tensors().values()) {
            if (!t.type().decodable()) {
                throw new ModelFormatException(
                        file.path(),
                        "tensor '" + t.name() + "' has type " + t.type()
                                + ", which is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
            }
        }
    }

    private static String blk(int layer, String name) {
        return "blk." + layer + "." + name + ".weight";
    }

    private static String name(Matrix role) {
        return switch (role) {
            case ATTN_Q -> "attn_q";
            case ATTN_K -> "attn_k";
            case ATTN_V -> "attn_v";
            case ATTN_O -> "attn_output";
            case FFN_GATE -> "ffn_gate";
            case FFN_UP -> "ffn_up";
            case FFN_DOWN -> "ffn_down";
            case SHARED_GATE -> "ffn_gate_shexp";
            case SHARED_UP -> "ffn_up_shexp";
            case SHARED_DOWN -> "ffn_down_shexp";
        };
    }

    /** The tensor, refusing one whose shape (outermost first) is not {@code shape}. */
    private GgufTensor checked(String name, long... shape) {
        GgufTensor t = file.tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(
                    file.path(),
                    "tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + " but the config implies "
                            + Arrays.toString(shape));
        }
        return t;
    }

    @Override
    public Linear linear(int layer, Matrix role, int out, int in) {
        return new Linear(matrix(checked(blk(layer, name(role)), out, in), 0, out, in));
    }

    @Override
    public Linear router(int layer, int experts, int hidden) {
        String name = blk(layer, "ffn_gate_inp");
        checked(name, experts, hidden);
        return new Linear(new F32Matrix(floats(name, (long) experts * hidden), experts, hidden));
    }

    @Override
    public SwiGlu[] experts(int layer, int experts, int hidden, int inter) {
        SwiGlu[] out = new SwiGlu[experts];
        pool.forEach(experts, 6L * hidden * inter, x -> out[x] = expert(layer, x, experts, hidden, inter));
        return out;
    }

    /** Expert {@code x} alone: row-major {@code [out, in]} slices at byte {@code x * out * rowBytes} of each tensor. */
    public SwiGlu expert(int layer, int x, int experts, int hidden, int inter) {
        GgufTensor gate = checked(blk(layer, "ffn_gate_exps"), experts, inter, hidden);
        GgufTensor up = checked(blk(layer, "ffn_up_exps"), experts, inter, hidden);
        GgufTensor down = checked(blk(layer, "ffn_down_exps"), experts, hidden, inter);
        return new SwiGlu(
                new Linear(matrix(gate, x * gate.type().bytes((long) inter * hidden), inter, hidden)),
                new Linear(matrix(up, x * up.type().bytes((long) inter * hidden), inter, hidden)),
                new Linear(matrix(down, x * down.type().bytes((long) hidden * inter), hidden, inter)));
    }

    @Override
    public float[] norm(int layer, Norm which, int hidden) {
        return floats(blk(layer, which == Norm.INPUT ? "attn_norm" : "ffn_norm"), hidden);
    }

    @Override
    public float[] finalNorm(int hidden) {
        return floats("output_norm.weight", hidden);
    }

    @Override
    public Embeddings embeddings(int vocab, int hidden) {
        GgufTensor t = checked("token_embd.weight", vocab, hidden);
        Embeddings e;
        if (t.type() == GgmlType.BF16 && format != WeightFormat.F32) {
            short[] bits = new short[Math.multiplyExact(vocab, hidden)];
            readBf16(t, 0, bits, vocab, hidden);
            e = Embeddings.ofBf16(bits, vocab, hidden);
        } else if (t.type() == GgmlType.F32
                || t.type() == GgmlType.F16
                || t.type() == GgmlType.BF16
                || format == WeightFormat.F32) {
            float[] w = new float[Math.multiplyExact(vocab, hidden)];
            readRows(t, 0, vocab, hidden, (r, src, n) -> System.arraycopy(src, 0, w, r * hidden, n * hidden));
            e = Embeddings.ofFloats(w, vocab, hidden);
        } else {
            // Looked up a row at a time, so read in place from the file's mapping: nothing copied at
            // load (Scout's Q8_0 table is 1.1 GB). Counted in bytes() as if held, as the memory plan does.
            long n = (long) vocab * t.rowBytes();
            if (n > Integer.MAX_VALUE) {
                throw new ModelFormatException(
                        file.path(),
                        "tensor '" + t.name() + "' (" + t.type() + ", " + n
                                + " bytes) is larger than one 2 GiB mapping: convert it with --weight-format q8 or q4");
            }
            ByteBuffer table = file.map(t, 0, (int) n);
            int rowBytes = (int) t.rowBytes();
            GgmlType type = t.type();
            e = Embeddings.ofRows(
                    (id, dst, off) -> {
                        byte[] row = new byte[rowBytes];
                        table.get(id * rowBytes, row, 0, rowBytes);
                        BlockDecoder.decode(type, row, 0, dst, off, hidden);
                    },
                    n,
                    vocab,
                    hidden);
        }
        bytes.addAndGet(e.bytes());
        return e;
    }

    @Override
    public Linear lmHead(int vocab, int hidden) {
        String name = file.contains("output.weight") ? "output.weight" : "token_embd.weight";
        return new Linear(matrix(checked(name, vocab, hidden), 0, vocab, hidden));
    }

    @Override
    public RotaryEmbedding rotary(TextModelConfig c) {
        float[] factors = file.contains("rope_freqs.weight") ? floats("rope_freqs.weight", c.headDim() / 2) : null;
        // llama.cpp stores every llama family with RoPE on adjacent pairs: Llama 4 as trained, and
        // Llama 3 with its q/k rows permuted by the converter from Hugging Face's halves. Rotating
        // adjacent pairs of the permuted rows gives the same scores (q.k sees one permutation on
        // both sides), so the rows need no un-permuting.
        return new RotaryEmbedding(c.rope(), c.headDim(), factors, Architecture.RopeLayout.ADJACENT_PAIRS);
    }

    @Override
    public long bytes() {
        return bytes.get();
    }

    /** The matrices built so far that compute from the file's mapping until {@link StagedMatrix#finish} repacks them. */
    public List<StagedMatrix> staged() {
        return List.copyOf(staged);
    }

    private float[] floats(String name, long count) {
        float[] v = file.floats(name, count);
        bytes.addAndGet((long) v.length * Float.BYTES);
        return v;
    }

    /**
     * The {@code [rows, cols]} matrix stored in {@code t} from byte {@code offset} on (an expert's
     * slice, or the whole tensor), in this loader's format.
     */
    WeightMatrix matrix(GgufTensor t, long offset, int rows, int cols) {
        WeightMatrix m = build(t, offset, rows, cols);
        bytes.addAndGet(m.bytes());
        return m;
    }

    private WeightMatrix build(GgufTensor t, long offset, int rows, int cols) {
        GgmlType type = t.type();
        WeightFormat target = format;
        if (format == WeightFormat.NATIVE) {
            switch (type) {
                case Q4_K:
                    return repack(Q4Matrix.forQ4_K(rows, cols), t, offset, Q4Matrix::setRowsQ4_K);
                case Q5_K:
                    return repack(Q8Matrix.forQ5_K(rows, cols), t, offset, Q8Matrix::setRowsQ5_K);
                case Q6_K:
                    return repack(Q8Matrix.forQ6_K(rows, cols), t, offset, Q8Matrix::setRowsQ6_K);
                case Q8_0: {
                    long n = type.bytes((long) rows * cols);
                    if (n > Integer.MAX_VALUE) {
                        return repack(new Q8Matrix(rows, cols), t, offset, Q8Matrix::setRowsQ8_0);
                    }
                    StagedMatrix m = StagedMatrix.ofQ8_0(file.map(t, offset, (int) n), rows, cols);
                    staged.add(m);
                    return m;
                }
                case Q4_0:
                    return repack(new Q4Matrix(rows, cols), t, offset, Q4Matrix::setRowsQ4_0);
                case BF16: {
                    short[] bits = new short[Math.multiplyExact(rows, cols)];
                    readBf16(t, offset, bits, rows, cols);
                    return new Bf16Matrix(bits, rows, cols);
                }
                default:
                    target = WeightFormat.F32;
            }
        }
        target = target.forWidth(cols);
        if (target == WeightFormat.F32) {
            float[] w = new float[Math.multiplyExact(rows, cols)];
            readRows(t, offset, rows, cols, (r, src, n) -> System.arraycopy(src, 0, w, r * cols, n * cols));
            return new F32Matrix(w, rows, cols);
        }
        WeightLoader.RowSink sink = WeightLoader.sink(target, rows, cols);
        readRows(t, offset, rows, cols, (r, src, n) -> sink.setRows(r, src, 0, n));
        return sink.matrix();
    }

    private interface RowConsumer {
        void accept(int firstRow, float[] values, int n);
    }

    private interface RawRows {
        void accept(int firstRow, byte[] raw, int n);
    }

    /**
     * Reads rows [0, rows) of the matrix at byte {@code offset} of {@code t} as raw bytes, slices
     * of about {@link #SLICE_BYTES} in parallel on the pool (positional reads into one reused
     * buffer per thread; each slice goes to disjoint rows of the sink).
     */
    private void rawRows(GgufTensor t, long offset, int rows, int cols, RawRows sink) {
        int rowBytes = (int) t.type().bytes(cols);
        int per = Math.max(1, SLICE_BYTES / rowBytes);
        int slices = (rows + per - 1) / per;
        pool.forRange(slices, (long) per * cols, (from, to) -> {
            byte[] raw = SCRATCH.atLeast(Math.max(Math.min(rows, per) * rowBytes, SLICE_BYTES));
            for (int s = from; s < to; s++) {
                int r = s * per;
                int n = Math.min(per, rows - r);
                file.read(t, offset + (long) r * rowBytes, raw, 0, n * rowBytes);
                sink.accept(r, raw, n);
            }
        });
    }

    /** Each thread's read buffer, kept across matrices: a load then makes almost no garbage, so few collections copy the weights it is building. */
    private static final ThreadScratch.Bytes SCRATCH = new ThreadScratch.Bytes();

    /** Decodes rows [0, rows) of the matrix at byte {@code offset} of {@code t} to float32 slices. */
    private void readRows(GgufTensor t, long offset, int rows, int cols, RowConsumer sink) {
        rawRows(t, offset, rows, cols, (r, raw, n) -> {
            float[] values = new float[n * cols];
            BlockDecoder.decode(t.type(), raw, 0, values, 0, n * cols);
            sink.accept(r, values, n);
        });
    }

    private void readBf16(GgufTensor t, long offset, short[] dst, int rows, int cols) {
        rawRows(
                t,
                offset,
                rows,
                cols,
                (r, raw, n) -> ByteBuffer.wrap(raw, 0, n * cols * 2)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asShortBuffer()
                        .get(dst, r * cols, n * cols));
    }

    /** How a matrix takes rows of a GGUF type's raw blocks: {@code setRows(firstRow, raw, off, n)}. */
    private interface RawRepack<M> {
        void setRows(M matrix, int firstRow, byte[] raw, int off, int n);
    }

    /** Fills the empty matrix {@code m} from the tensor's raw rows, repacked slice by slice in parallel. */
    private <M extends WeightMatrix> M repack(M m, GgufTensor t, long offset, RawRepack<M> repack) {
        rawRows(t, offset, m.rows(), m.cols(), (r, raw, n) -> repack.setRows(m, r, raw, 0, n));
        return m;
    }
}
