package io.llamastream.engine.weights;

import io.llamastream.engine.math.Bf16;
import java.util.Optional;

/**
 * The token embedding table, looked up by rows (never multiplied), so it is kept exact:
 * float32, or the checkpoint's bfloat16 bits widened per looked-up row.
 */
public final class Embeddings {
    private final float[] f32;
    private final short[] bf16;
    private final RowSource rowSource;
    private final long sourceBytes;
    private final int rows;
    private final int cols;

    /** Rows decoded on lookup from another storage (a GGUF quantized table). */
    public interface RowSource {
        void copyRow(int id, float[] dst, int off);
    }

    private Embeddings(float[] f32, short[] bf16, RowSource rowSource, long sourceBytes, int rows, int cols) {
        this.f32 = f32;
        this.bf16 = bf16;
        this.rowSource = rowSource;
        this.sourceBytes = sourceBytes;
        this.rows = rows;
        this.cols = cols;
    }

    /** A table of {@code bytes} bytes whose rows {@code source} decodes when looked up. */
    public static Embeddings ofRows(RowSource source, long bytes, int rows, int cols) {
        return new Embeddings(null, null, source, bytes, rows, cols);
    }

    public static Embeddings ofFloats(float[] table, int rows, int cols) {
        if ((long) rows * cols != table.length) {
            throw new IllegalArgumentException("table has " + table.length + " values, expected " + rows + "x" + cols);
        }
        return new Embeddings(table, null, null, 0, rows, cols);
    }

    public static Embeddings ofBf16(short[] table, int rows, int cols) {
        if ((long) rows * cols != table.length) {
            throw new IllegalArgumentException("table has " + table.length + " values, expected " + rows + "x" + cols);
        }
        return new Embeddings(null, table, null, 0, rows, cols);
    }

    public int rows() {
        return rows;
    }

    /** Writes row {@code id} into {@code dst[off .. off + cols)}. */
    public void copyRow(int id, float[] dst, int off) {
        if (f32 != null) {
            System.arraycopy(f32, id * cols, dst, off, cols);
            return;
        }
        if (rowSource != null) {
            rowSource.copyRow(id, dst, off);
            return;
        }
        int base = id * cols;
        for (int i = 0; i < cols; i++) {
            dst[off + i] = Bf16.toFloat(bf16[base + i]);
        }
    }

    /**
     * The table as an output matrix over the same storage, for a model whose output matrix is its
     * embedding table (tied): float32 or bf16 as kept; empty for rows decoded from other storage.
     */
    public Optional<WeightMatrix> asMatrix() {
        if (f32 != null) {
            return Optional.of(new F32Matrix(f32, rows, cols));
        }
        return bf16 != null ? Optional.of(new Bf16Matrix(bf16, rows, cols)) : Optional.empty();
    }

    public long bytes() {
        return f32 != null ? (long) f32.length * Float.BYTES : bf16 != null ? (long) bf16.length * 2 : sourceBytes;
    }
}
