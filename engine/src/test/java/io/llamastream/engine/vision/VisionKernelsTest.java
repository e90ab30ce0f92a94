package io.llamastream.engine.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.VectorExp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tower's vector kernels against scalar double references. GELU's measured worst errors over
 * two million points in [-16, 16] (512-bit vectors): relative 6e-7 for x >= -2, 2e-6 on [-4, -2),
 * 7e-6 on [-10, -4) (where |gelu| < 2e-4 and the error comes from rounding x / sqrt 2 and the
 * exponent -z^2 + P); below -10 the exponent is clamped and only the absolute error (< 1e-27) is
 * bounded. The bounds below leave a factor ~2 of room.
 */
class VisionKernelsTest {

    private static float[] grid(float from, float to, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = from + (to - from) * i / (n - 1);
        }
        return x;
    }

    @ParameterizedTest
    @CsvSource({"-2, 16, 1.2e-6", "-4, -2, 4e-6", "-10, -4, 1.5e-5"})
    void vectorGeluMatchesTheExactScalarGeluToARelativeBound(float from, float to, double bound) {
        float[] x = grid(from, to, 400_001);
        float[] y = x.clone();
        VisionKernels.gelu(y, 0, y.length, ComputePool.INLINE);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double ref = VisionKernels.gelu(x[i]);
            if (ref != 0) {
                worst = Math.max(worst, Math.abs(y[i] - ref) / Math.abs(ref));
            }
        }
        assertTrue(worst <= bound, "worst relative error " + worst + " on [" + from + ", " + to + "]");
    }

    @Test
    void vectorGeluIsTinyInTheFarNegativeTailAndTheIdentityFarRight() {
        float[] x = {-1000f, -40f, -16f, 0f, 40f, 1000f, Float.NaN};
        VisionKernels.gelu(x, 0, x.length, ComputePool.INLINE);
        assertTrue(Math.abs(x[0]) < 1e-27 && Math.abs(x[1]) < 1e-27 && Math.abs(x[2]) < 1e-27, x[0] + " " + x[1]);
        assertEquals(0f, x[3]);
        assertEquals(40f, x[4]);
        assertEquals(1000f, x[5]);
        assertTrue(Float.isNaN(x[6]));
    }

    @Test
    void vectorGeluHandlesAnOffsetAndAPartialLastVector() {
        float[] x = grid(-3, 3, 1000);
        float[] y = x.clone();
        VisionKernels.gelu(y, 7, 37, ComputePool.INLINE);
        for (int i = 0; i < x.length; i++) {
            double expected = i >= 7 && i < 44 ? VisionKernels.gelu(x[i]) : x[i];
            assertEquals(expected, y[i], 2e-6 * Math.abs(expected) + 1e-12, "index " + i);
        }
    }

    @Test
    void vectorExpIsWithinThreeUlpsOverTheWholeRange() {
        float[] x = grid(-87f, 88f, 100_003);
        double worst = 0;
        float[] lanes = new float[VectorExp.F.length()];
        for (float v : x) {
            java.util.Arrays.fill(lanes, v);
            float e = VectorExp.exp(jdk.incubator.vector.FloatVector.fromArray(VectorExp.F, lanes, 0))
                    .lane(0);
            worst = Math.max(worst, Math.abs(e - Math.exp(v)) / Math.exp(v));
        }
        assertTrue(worst < 3 * 0x1p-24, "worst relative error " + worst);
    }

    @Test
    void layerNormMatchesADoubleReference() {
        SplittableRandom rnd = new SplittableRandom(3);
        int rows = 5;
        int n = 1411; // not a vector multiple
        float[] x = new float[rows * n];
        float[] w = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 3 + 20); // a mean far from zero
        }
        for (int i = 0; i < n; i++) {
            w[i] = (float) rnd.nextDouble(0.5, 1.5);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] out = new float[x.length];
        VisionKernels.layerNorm(x, rows, n, w, b, 1e-5f, out, new ComputePool(2));
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[r * n + i];
            }
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
            }
            double inv = 1 / Math.sqrt(var / n + 1e-5);
            for (int i = 0; i < n; i++) {
                double expected = (x[r * n + i] - mean) * inv * w[i] + b[i];
                assertEquals(expected, out[r * n + i], 2e-5 * (1 + Math.abs(expected)), "row " + r + " col " + i);
            }
        }
    }

    @Test
    void scaledSoftmaxMatchesADoubleReferenceAndSumsToOne() {
        SplittableRandom rnd = new SplittableRandom(5);
        int rows = 3;
        int n = 577; // the Scout tile's rows: not a vector multiple
        float[] s = new float[rows * n + 4];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (rnd.nextGaussian() * 30);
        }
        float[] in = s.clone();
        float scale = 0.1066f;
        VisionKernels.scaledSoftmax(s, 2, rows, n, scale);
        for (int r = 0; r < rows; r++) {
            int o = 2 + r * n;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, in[o + i] * (double) scale);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(in[o + i] * (double) scale - max);
            }
            double total = 0;
            for (int i = 0; i < n; i++) {
                double arg = in[o + i] * (double) scale - max;
                double expected = Math.exp(arg) / sum;
                // float rounding of the exponent costs |arg| ulps of relative error
                assertEquals(expected, s[o + i], 2e-7 * (2 + Math.abs(arg)) * expected, "row " + r + " col " + i);
                total += s[o + i];
            }
            assertEquals(1.0, total, 1e-5);
        }
        assertEquals(in[0], s[0]);
        assertEquals(in[s.length - 1], s[s.length - 1]);
    }

    @Test
    void addBiasResidualAddsTheBlockOutputAndItsBiasToEveryRow() {
        float[] x = grid(-1, 1, 3 * 35);
        float[] y = grid(5, 9, 3 * 35);
        float[] bias = grid(0, 34, 35);
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i] + (y[i] + bias[i % 35]);
        }
        VisionKernels.addBiasResidual(x, y, 3, 35, bias, ComputePool.INLINE);
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], x[i], 1e-6f, "index " + i);
        }
    }
}
