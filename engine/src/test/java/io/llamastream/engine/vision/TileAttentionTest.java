package io.llamastream.engine.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One head of one tile's attention, against the same attention written out in double precision. */
class TileAttentionTest {
    /** A 4 x 4 patch grid (17 tokens a tile), hidden 16 in 2 heads of 8. */
    private static final VisionConfig CFG =
            new VisionConfig(16, 1, 2, 32, 16, 4, 3, 1e-5f, 0.5, 16, 16, 16, 10000.0, 32, 5, 6, 7);

    private static final int N = 17;
    private static final int HV = 16;
    private static final int HD = 8;
    private static final int TILES = 2;
    private static final float UNTOUCHED = 7f;

    private final VisionRope2d rope = new VisionRope2d(CFG.grid(), CFG.headDim(), CFG.ropeTheta());
    private final float[] qkv = random(TILES * N * 3 * HV);

    @Test
    void aHeadsContextIsSoftmaxAttentionOverItsOwnTileWithRotatedQueriesAndKeys() {
        float[] out = untouched();
        new TileAttention(CFG, rope).attend(qkv, 1, 1, out);
        double[] expected = reference(1, 1);
        for (int i = 0; i < N; i++) {
            for (int d = 0; d < HD; d++) {
                assertEquals(expected[i * HD + d], out[(N + i) * HV + HD + d], 1e-5, "token " + i + " dim " + d);
            }
        }
    }

    @Test
    void oneInstanceServesTaskAfterTaskFromItsOwnScratch() {
        TileAttention attention = new TileAttention(CFG, rope);
        float[] out = untouched();
        attention.attend(qkv, 0, 1, out);
        attention.attend(qkv, 1, 0, out);
        double[] expected = reference(1, 0);
        for (int i = 0; i < N; i++) {
            for (int d = 0; d < HD; d++) {
                assertEquals(expected[i * HD + d], out[(N + i) * HV + d], 1e-5, "token " + i + " dim " + d);
            }
        }
    }

    @Test
    void writesOnlyItsHeadsColumnsOfItsTilesRows() {
        float[] out = untouched();
        new TileAttention(CFG, rope).attend(qkv, 1, 0, out);
        for (int row = 0; row < TILES * N; row++) {
            for (int c = 0; c < HV; c++) {
                boolean mine = row >= N && c < HD;
                if (!mine) {
                    assertEquals(UNTOUCHED, out[row * HV + c], "row " + row + " column " + c);
                }
            }
        }
    }

    private double[] reference(int tile, int head) {
        float[] q = new float[N * HD];
        float[] k = new float[N * HD];
        float[] v = new float[N * HD];
        for (int i = 0; i < N; i++) {
            int src = (tile * N + i) * 3 * HV + head * HD;
            System.arraycopy(qkv, src, q, i * HD, HD);
            System.arraycopy(qkv, src + HV, k, i * HD, HD);
            System.arraycopy(qkv, src + 2 * HV, v, i * HD, HD);
        }
        rope.applyHead(q);
        rope.applyHead(k);
        double[] out = new double[N * HD];
        for (int i = 0; i < N; i++) {
            double[] p = new double[N];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int d = 0; d < HD; d++) {
                    s += (double) q[i * HD + d] * k[j * HD + d];
                }
                p[j] = s / Math.sqrt(HD);
                max = Math.max(max, p[j]);
            }
            double sum = 0;
            for (int j = 0; j < N; j++) {
                p[j] = Math.exp(p[j] - max);
                sum += p[j];
            }
            for (int j = 0; j < N; j++) {
                for (int d = 0; d < HD; d++) {
                    out[i * HD + d] += p[j] / sum * v[j * HD + d];
                }
            }
        }
        return out;
    }

    private static float[] untouched() {
        float[] out = new float[TILES * N * HV];
        Arrays.fill(out, UNTOUCHED);
        return out;
    }

    private static float[] random(int n) {
        SplittableRandom r = new SplittableRandom(11);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return v;
    }
}
