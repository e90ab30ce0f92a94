package io.llamastream.engine.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.engine.testing.LaneSumOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatKernelsTest {
    /** Attention's 1 / sqrt(head dimension) for heads of 128. */
    private static final float SCALE = (float) (1 / Math.sqrt(128));

    /** Rows of {@code y} spaced {@code stride} apart, after {@code yOff}, with random weights {@code a}. */
    private static float[] axpyRowsResult(int count, int n, int stride, int yOff, boolean byRows) {
        Random random = new Random(31L * n + count);
        float[] a = new float[count + 3];
        float[] y = new float[yOff + count * stride + n];
        float[] x = new float[n + 5];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        if (byRows) {
            FloatKernels.axpyRows(a, 3, count, y, yOff, stride, x, 5, n);
        } else {
            for (int r = 0; r < count; r++) {
                FloatKernels.axpy(a[3 + r], y, yOff + r * stride, x, 5, n);
            }
        }
        return x;
    }

    @Test
    void axpyRowsGivesTheBitsOfOneAxpyPerRowInOrder() {
        // Widths below, at and above one to four vectors of any species, and a scalar tail.
        for (int n : new int[] {1, 7, 16, 48, 64, 100, 128, 131, 256}) {
            for (int count : new int[] {1, 2, 9, 33}) {
                int stride = n + 13;
                assertArrayEquals(
                        axpyRowsResult(count, n, stride, 11, false),
                        axpyRowsResult(count, n, stride, 11, true),
                        "n=" + n + " count=" + count);
            }
        }
    }

    @Test
    void axpyRowsOfNoRowsLeavesTheTargetAsItWas() {
        float[] x = {1.5f, -2f, 3f};
        FloatKernels.axpyRows(new float[0], 0, 0, new float[0], 0, 3, x, 0, 3);
        assertArrayEquals(new float[] {1.5f, -2f, 3f}, x);
    }

    @Test
    void axpyRowsAddsTheWeightedRowsToTheTarget() {
        float[] y = {1, 2, 3, 10, 20, 30};
        float[] x = {100, 200, 300};
        FloatKernels.axpyRows(new float[] {2, -1}, 0, 2, y, 0, 3, x, 0, 3);
        assertEquals(100 + 2 * 1 - 10, x[0]);
        assertEquals(200 + 2 * 2 - 20, x[1]);
        assertEquals(300 + 2 * 3 - 30, x[2]);
    }

    @Test
    void dotRowsGivesTheBitsOfOneDotPerRow() {
        for (int n : new int[] {1, 7, 16, 48, 64, 100, 128, 131}) {
            for (int count : new int[] {1, 3, 4, 9, 33}) {
                Random random = new Random(7L * n + count);
                int stride = n + 5;
                float[] a = new float[n + 2];
                float[] y = new float[9 + count * stride];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) random.nextGaussian();
                }
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) random.nextGaussian();
                }
                float[] out = new float[count + 1];
                FloatKernels.dotRows(a, 2, y, 9, stride, count, out, 1, n);
                for (int r = 0; r < count; r++) {
                    LaneSumOrder.assertSameSum(
                            FloatKernels.dot(a, 2, y, 9 + r * stride, n),
                            out[1 + r],
                            "n=" + n + " count=" + count + " row " + r);
                }
            }
        }
    }

    @Test
    void scaledSoftmaxMatchesTheDoublePrecisionSoftmaxOfTheScaledInputs() {
        for (int n : new int[] {1, 5, 16, 37, 512}) {
            Random random = new Random(n);
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * 8);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, x[1 + i] * (double) SCALE);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(x[1 + i] * (double) SCALE - max);
            }
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = (float) (Math.exp(x[1 + i] * (double) SCALE - max) / sum);
            }
            // The shifted score is rounded to float, so the error grows with its size.
            float[] tolerance = new float[n];
            for (int i = 0; i < n; i++) {
                tolerance[i] = (float) (expected[i] * 3e-7 * (1 + Math.abs(x[1 + i] * (double) SCALE - max))) + 1e-37f;
            }
            float before = x[0];
            float after = x[n + 1];
            FloatKernels.scaledSoftmax(x, 1, n, SCALE);
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], x[1 + i], tolerance[i], "n=" + n + " i=" + i);
            }
            assertEquals(before, x[0], "the element before the range is untouched");
            assertEquals(after, x[n + 1], "the element after the range is untouched");
        }
    }

    @Test
    void scaledSoftmaxOfEqualScoresIsUniform() {
        float[] x = new float[40];
        java.util.Arrays.fill(x, -3.25f);
        FloatKernels.scaledSoftmax(x, 0, 40, SCALE);
        for (float p : x) {
            assertEquals(1f / 40, p, 1e-7f);
        }
    }
}
