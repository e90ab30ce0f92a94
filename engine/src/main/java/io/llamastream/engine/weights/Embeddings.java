package io.llamastream.engine.weights;

/**
 * The token embedding table, looked up by rows (never multiplied), so it is kept exact:
 * float32, or the checkpoint's bfloat16 bits widened per looked-up row.
 */
public final class Embeddings {
    private final float[] f32;
    private final short[] bf16;
    private final int rows;
    private final int cols;

    private Embeddings(float[] f32, short[] bf16, int rows, int cols) {
        this.f32 = f32;
        this.bf16 = bf16;
        this.rows = rows;
        this.cols = cols;
    }

    public static Embeddings ofFloats(float[] table, int rows, int cols) {
        if ((long) rows * cols != table.length) {
            throw new IllegalArgumentException("table has " + table.length + " values, expected " + rows + "x" + cols);
        }
        return new Embeddings(table, null, rows, cols);
    }

    public static Embeddings ofBf16(short[] table, int rows, int cols) {
        if ((long) rows * cols != table.length) {
            throw new IllegalArgumentException("table has " + table.length + " values, expected " + rows + "x" + cols);
        }
        return new Embeddings(null, table, rows, cols);
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
        int base = id * cols;
        for (int i = 0; i < cols; i++) {
            dst[off + i] = Float.intBitsToFloat((bf16[base + i] & 0xFFFF) << 16);
        }
    }

    public long bytes() {
        return f32 != null ? (long) f32.length * Float.BYTES : (long) bf16.length * 2;
    }
}
