package io.llamastream.engine.weights;

import io.llamastream.engine.math.Bf16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major bfloat16 weights, kept as loaded (2 bytes per weight) and widened to float32 in
 * registers (sign-extend to int, shift left 16, reinterpret) right before the multiply-add.
 * Rows stay row-major (widths need not be block multiples), so a group of four rows is four
 * one-row dots ({@link RowMajorMatrix}).
 */
public final class Bf16Matrix extends RowMajorMatrix {
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private final short[] w;

    public Bf16Matrix(int rows, int cols) {
        super(rows, cols);
        this.w = new short[Math.multiplyExact(rows, cols)];
    }

    public Bf16Matrix(short[] bits, int rows, int cols) {
        super(rows, cols);
        if ((long) rows * cols != bits.length) {
            throw new IllegalArgumentException("weight has " + bits.length + " values, expected " + rows + "x" + cols);
        }
        this.w = bits;
    }

    /** Rounds {@code n} rows of float32 weights (from {@code src[srcOff]}) into rows firstRow.. . */
    public void setRows(int firstRow, float[] src, int srcOff, int n) {
        int base = firstRow * cols;
        for (int i = 0; i < n * cols; i++) {
            w[base + i] = Bf16.fromFloat(src[srcOff + i]);
        }
    }

    /** Copies raw bf16 bits of {@code n} rows into rows firstRow.. . */
    public void setRowBits(int firstRow, short[] src, int srcOff, int n) {
        System.arraycopy(src, srcOff, w, firstRow * cols, n * cols);
    }

    /** Copies {@code n} raw bf16 bits into row r from column c on. */
    public void setBits(int r, int c, short[] src, int srcOff, int n) {
        System.arraycopy(src, srcOff, w, r * cols + c, n);
    }

    public float get(int r, int c) {
        return Bf16.toFloat(w[r * cols + c]);
    }

    @Override
    public long bytes() {
        return (long) w.length * 2;
    }

    private static FloatVector load(short[] w, int off) {
        IntVector wide = (IntVector) ShortVector.fromArray(S, w, off).convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    void decodeRow(int r, float[] panel, int po) {
        int bound = F.loopBound(cols);
        int wo = r * cols;
        int i = 0;
        for (; i < bound; i += L) {
            load(w, wo + i).intoArray(panel, po + i);
        }
        for (; i < cols; i++) {
            panel[po + i] = Bf16.toFloat(w[wo + i]);
        }
    }

    @Override
    float dotRow(int r, float[] x, int xOff) {
        int wo = r * cols;
        int bound = F.loopBound(cols);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + L < bound; i += 2 * L) {
            a0 = load(w, wo + i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = load(w, wo + i + L).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (; i < bound; i += L) {
            a0 = load(w, wo + i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += Bf16.toFloat(w[wo + i]) * x[xOff + i];
        }
        return sum;
    }
}
