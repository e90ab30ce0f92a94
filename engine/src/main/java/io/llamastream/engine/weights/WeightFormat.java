package io.llamastream.engine.weights;

import io.llamastream.engine.checkpoint.DType;

/**
 * Storage format of the large matrices (attention, experts, shared expert, dense MLP, LM head).
 * Router, norms and embeddings never use these: they stay float32 (embeddings bf16 unless F32).
 */
public enum WeightFormat {
    /**
     * Each tensor as the checkpoint stores it: bf16 for a bf16 safetensors folder, the GGUF types
     * as stored (Q8_0 served from the file's mapping until a background thread has copied it
     * exactly into Q8, Q4_0 copied exactly into Q4 at load, the K-quants repacked exactly into the
     * same two layouts with finer scales and mins). Bytes per weight depend on the file.
     */
    NATIVE(Double.NaN),
    /** float32: exact, 4 bytes per weight. */
    F32(4.0),
    /** bfloat16 as stored in the checkpoint, widened to float in the kernel: 2 bytes per weight. */
    BF16(2.0),
    /** Blocks of 32 int8 weights with one float32 scale (like GGUF Q8_0 with an f32 scale): 36/32 bytes. */
    Q8(36.0 / 32),
    /** Blocks of 32 4-bit weights (offset 8) with one float32 scale (like GGUF Q4_0): 20/32 bytes. */
    Q4(20.0 / 32);

    private final double bytesPerWeight;

    WeightFormat(double bytesPerWeight) {
        this.bytesPerWeight = bytesPerWeight;
    }

    public double bytesPerWeight() {
        return bytesPerWeight;
    }

    /**
     * A row-major float32 matrix in this format (F32 keeps the array itself). Widths that are not a
     * multiple of {@link #BLOCK} cannot be blocked: Q8 and Q4 fall back to BF16 for them. NATIVE
     * has no meaning for values already widened to float32 and is refused.
     */
    public WeightMatrix fromFloats(float[] w, int rows, int cols) {
        WeightFormat format = forWidth(cols);
        switch (format) {
            case F32:
                return new F32Matrix(w, rows, cols);
            case BF16: {
                Bf16Matrix m = new Bf16Matrix(rows, cols);
                m.setRows(0, w, 0, rows);
                return m;
            }
            case Q8:
                return Q8Matrix.quantize(w, rows, cols);
            case Q4:
                return Q4Matrix.quantize(w, rows, cols);
            default:
                throw new IllegalArgumentException(
                        format + " is a checkpoint's own format, not one to convert floats to");
        }
    }

    /** Whether this is a block format (Q8, Q4): integer weights with one scale per {@link #BLOCK}. */
    public boolean blocked() {
        return this == Q8 || this == Q4;
    }

    /**
     * The format a matrix with rows of {@code cols} weights is stored in: a block format needs whole
     * blocks, so Q8 and Q4 fall back to BF16 for other widths; every other format is itself.
     */
    public WeightFormat forWidth(int cols) {
        return blocked() && cols % BLOCK != 0 ? BF16 : this;
    }

    /**
     * Whether stacked experts ({@code gate_up_proj} and {@code down_proj} stored as these dtypes,
     * of this hidden size and expert width) are read band by band and quantized straight from their
     * input-major layout into this format: bf16 into a block format every expert matrix keeps. The
     * loader and the memory plan both ask this.
     */
    public boolean quantizesExpertsInBands(DType gateUp, DType down, int hidden, int inter) {
        return gateUp == DType.BF16
                && down == DType.BF16
                && blocked()
                && forWidth(hidden) == this
                && forWidth(inter) == this;
    }

    /** Block length of the quantized formats along the input dimension. */
    public static final int BLOCK = 32;
}
