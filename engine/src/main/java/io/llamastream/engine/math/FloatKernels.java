package io.llamastream.engine.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 SIMD kernels of the engine (dot products, row-major matrix products, norms,
 * activations), written with {@code jdk.incubator.vector} array loads only, which behave the
 * same on JDK 17 and 25. Matrices are row-major {@code float[]} with rows of {@code cols} floats.
 */
public final class FloatKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FloatKernels() {}

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int step = F.length();
        for (; i + step < bound; i += 2 * step) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + step).fma(FloatVector.fromArray(F, b, bOff + i + step), acc1);
        }
        for (; i < bound; i += step) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** {@code x[i] += y[i]}. */
    public static void addInPlace(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i)
                    .add(FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] += y[yOff + i];
        }
    }

    /** {@code x[i] += a * y[i]}. */
    public static void axpy(float a, float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, a);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, y, yOff + i)
                    .fma(va, FloatVector.fromArray(F, x, xOff + i))
                    .intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] += a * y[yOff + i];
        }
    }

    /**
     * {@code out[outOff + r] = dot(a, aOff, y, yOff + r * stride, n)} for rows {@code r < count}, with
     * the same bits as {@link #dot}: four rows at a time share each load of {@code a} and their
     * reductions overlap, where one call per row waits on each reduction in turn. Attention's
     * scores of a query against a page of keys are this.
     */
    public static void dotRows(
            float[] a, int aOff, float[] y, int yOff, int stride, int count, float[] out, int outOff, int n) {
        int l = F.length();
        int bound = F.loopBound(n);
        int r = 0;
        for (; r + 4 <= count; r += 4) {
            int y0 = yOff + r * stride;
            int y1 = y0 + stride;
            int y2 = y1 + stride;
            int y3 = y2 + stride;
            FloatVector s00 = FloatVector.zero(F), s01 = FloatVector.zero(F);
            FloatVector s10 = FloatVector.zero(F), s11 = FloatVector.zero(F);
            FloatVector s20 = FloatVector.zero(F), s21 = FloatVector.zero(F);
            FloatVector s30 = FloatVector.zero(F), s31 = FloatVector.zero(F);
            int i = 0;
            // The vector pairs and the single last vector of dot(), in its order.
            for (; i + l < bound; i += 2 * l) {
                FloatVector a0 = FloatVector.fromArray(F, a, aOff + i);
                FloatVector a1 = FloatVector.fromArray(F, a, aOff + i + l);
                s00 = a0.fma(FloatVector.fromArray(F, y, y0 + i), s00);
                s01 = a1.fma(FloatVector.fromArray(F, y, y0 + i + l), s01);
                s10 = a0.fma(FloatVector.fromArray(F, y, y1 + i), s10);
                s11 = a1.fma(FloatVector.fromArray(F, y, y1 + i + l), s11);
                s20 = a0.fma(FloatVector.fromArray(F, y, y2 + i), s20);
                s21 = a1.fma(FloatVector.fromArray(F, y, y2 + i + l), s21);
                s30 = a0.fma(FloatVector.fromArray(F, y, y3 + i), s30);
                s31 = a1.fma(FloatVector.fromArray(F, y, y3 + i + l), s31);
            }
            for (; i < bound; i += l) {
                FloatVector a0 = FloatVector.fromArray(F, a, aOff + i);
                s00 = a0.fma(FloatVector.fromArray(F, y, y0 + i), s00);
                s10 = a0.fma(FloatVector.fromArray(F, y, y1 + i), s10);
                s20 = a0.fma(FloatVector.fromArray(F, y, y2 + i), s20);
                s30 = a0.fma(FloatVector.fromArray(F, y, y3 + i), s30);
            }
            float d0 = s00.add(s01).reduceLanes(VectorOperators.ADD);
            float d1 = s10.add(s11).reduceLanes(VectorOperators.ADD);
            float d2 = s20.add(s21).reduceLanes(VectorOperators.ADD);
            float d3 = s30.add(s31).reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                d0 += a[aOff + i] * y[y0 + i];
                d1 += a[aOff + i] * y[y1 + i];
                d2 += a[aOff + i] * y[y2 + i];
                d3 += a[aOff + i] * y[y3 + i];
            }
            out[outOff + r] = d0;
            out[outOff + r + 1] = d1;
            out[outOff + r + 2] = d2;
            out[outOff + r + 3] = d3;
        }
        for (; r < count; r++) {
            out[outOff + r] = dot(a, aOff, y, yOff + r * stride, n);
        }
    }

    /**
     * {@code x[xOff + i] += a[aOff + r] * y[yOff + r * stride + i]} for rows {@code r = 0..count-1}
     * in order, {@code i < n}: the same multiply-adds in the same order as {@code count} calls of
     * {@link #axpy} (so the same bits), with {@code x} held in registers across the rows instead of
     * stored and reloaded for each one. Attention's weighted sum of values is this.
     */
    public static void axpyRows(
            float[] a, int aOff, int count, float[] y, int yOff, int stride, float[] x, int xOff, int n) {
        int l = F.length();
        int bound = F.loopBound(n);
        int i = 0;
        for (; i + 4 * l <= bound; i += 4 * l) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + i + l);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + i + 2 * l);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + i + 3 * l);
            for (int r = 0, yo = yOff + i; r < count; r++, yo += stride) {
                FloatVector va = FloatVector.broadcast(F, a[aOff + r]);
                x0 = FloatVector.fromArray(F, y, yo).fma(va, x0);
                x1 = FloatVector.fromArray(F, y, yo + l).fma(va, x1);
                x2 = FloatVector.fromArray(F, y, yo + 2 * l).fma(va, x2);
                x3 = FloatVector.fromArray(F, y, yo + 3 * l).fma(va, x3);
            }
            x0.intoArray(x, xOff + i);
            x1.intoArray(x, xOff + i + l);
            x2.intoArray(x, xOff + i + 2 * l);
            x3.intoArray(x, xOff + i + 3 * l);
        }
        for (; i < bound; i += l) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            for (int r = 0, yo = yOff + i; r < count; r++, yo += stride) {
                x0 = FloatVector.fromArray(F, y, yo).fma(FloatVector.broadcast(F, a[aOff + r]), x0);
            }
            x0.intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            float acc = x[xOff + i];
            for (int r = 0, yo = yOff + i; r < count; r++, yo += stride) {
                acc += a[aOff + r] * y[yo];
            }
            x[xOff + i] = acc;
        }
    }

    /** {@code x[i] *= a}. */
    public static void scale(float[] x, int off, int n, float a) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, off + i).mul(a).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= a;
        }
    }

    /** Sum of squares of {@code x[off..off+n)}. */
    public static float sumOfSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /**
     * RMS norm of each of {@code rows} rows of width n: {@code out = x / sqrt(mean(x^2) + eps) * g};
     * {@code g} may be null for the weightless L2 norm of Llama 4's QK norm.
     */
    public static void rmsNorm(float[] x, int xOff, float[] g, float eps, float[] out, int outOff, int n) {
        float inv = (float) (1.0 / Math.sqrt(sumOfSquares(x, xOff, n) / n + eps));
        if (g == null) {
            for (int i = 0; i < n; i++) {
                out[outOff + i] = x[xOff + i] * inv;
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[outOff + i] = x[xOff + i] * inv * g[i];
            }
        }
    }

    /** {@code gate[i] = silu(gate[i]) * up[i]}: the SwiGLU combination. */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gOff + i];
            gate[gOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /**
     * {@code x[off..off+n) = softmax(scale * x[off..off+n))} in place, for {@code scale > 0}:
     * attention's probabilities from its raw scores. The exponentials are {@link VectorExp}'s,
     * the last partial vector going through a padded copy whose pads are neither stored nor summed.
     */
    public static void scaledSoftmax(float[] x, int off, int n, float scale) {
        int l = F.length();
        int bound = F.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += l) {
            vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector vscale = FloatVector.broadcast(F, scale);
        FloatVector shift = FloatVector.broadcast(F, -max * scale);
        FloatVector sum = FloatVector.zero(F);
        for (i = 0; i < bound; i += l) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, x, off + i).fma(vscale, shift));
            e.intoArray(x, off + i);
            sum = sum.add(e);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        if (i < n) {
            float[] tail = new float[l];
            System.arraycopy(x, off + i, tail, 0, n - i);
            VectorExp.exp(FloatVector.fromArray(F, tail, 0).fma(vscale, shift)).intoArray(tail, 0);
            for (int k = 0; k < n - i; k++) {
                x[off + i + k] = tail[k];
                total += tail[k];
            }
        }
        scale(x, off, n, 1f / total);
    }

    /** {@code log softmax(logits[off..off+n))[token]}, in double precision. */
    public static double logSoftmaxAt(float[] logits, int off, int n, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return logits[off + token] - max - Math.log(sum);
    }
}
