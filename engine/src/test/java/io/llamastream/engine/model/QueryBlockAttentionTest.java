package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.engine.checkpoint.Architecture;
import io.llamastream.engine.checkpoint.RopeScaling;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.kv.KvPagePool;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The query block kernel against attention written out in double precision, one query at a time:
 * blocks of every size up to a vector, starting at, inside and across KV pages, on a global layer
 * and on a local (chunked) layer, with grouped-query heads.
 */
class QueryBlockAttentionTest {
    private static final int HEADS = 8;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 24;
    private static final int CHUNK = 64;
    private static final int GLOBAL = 0;
    private static final int LOCAL = 1;
    private static final float SCALE = (float) (1 / Math.sqrt(HEAD_DIM));

    private static final TextModelConfig CONFIG = new TextModelConfig(
            Architecture.LLAMA4,
            HEADS * HEAD_DIM,
            2,
            HEADS,
            KV_HEADS,
            HEAD_DIM,
            16,
            16,
            16,
            0,
            0,
            1e-5f,
            RopeScaling.unscaled(10000),
            false,
            CHUNK,
            new boolean[] {false, true},
            new boolean[] {false, false},
            false,
            8192,
            0.1,
            new int[] {1},
            false,
            false);

    /** A cache holding {@code length} positions of random keys and values in both layers, and the same values kept here. */
    private static final class Filled {
        final KvCache cache = new KvCache(CONFIG, new KvPagePool(CONFIG, 16, Long.MAX_VALUE));
        final float[][] keys;
        final float[][] values;

        Filled(int length, Random random) {
            int kw = KV_HEADS * HEAD_DIM;
            keys = new float[length][kw];
            values = new float[length][kw];
            for (int p = 0; p < length; p++) {
                for (int i = 0; i < kw; i++) {
                    keys[p][i] = (float) random.nextGaussian();
                    values[p][i] = (float) random.nextGaussian();
                }
                for (int layer : new int[] {GLOBAL, LOCAL}) {
                    cache.store(layer, p, keys[p], 0, values[p], 0);
                }
            }
        }

        /** Query {@code q} at {@code pos} of head {@code head}, attending positions [from, pos], in double precision. */
        double[] reference(float[] q, int qOff, int head, int from, int pos) {
            int kvOff = head / (HEADS / KV_HEADS) * HEAD_DIM;
            double[] scores = new double[pos - from + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < scores.length; j++) {
                double s = 0;
                for (int d = 0; d < HEAD_DIM; d++) {
                    s += (double) q[qOff + d] * keys[from + j][kvOff + d];
                }
                scores[j] = s * SCALE;
                max = Math.max(max, scores[j]);
            }
            double sum = 0;
            for (int j = 0; j < scores.length; j++) {
                scores[j] = Math.exp(scores[j] - max);
                sum += scores[j];
            }
            double[] out = new double[HEAD_DIM];
            for (int j = 0; j < scores.length; j++) {
                for (int d = 0; d < HEAD_DIM; d++) {
                    out[d] += scores[j] / sum * values[from + j][kvOff + d];
                }
            }
            return out;
        }
    }

    private static final int ROWS = QueryBlockAttention.ROWS;

    /**
     * Runs one block of {@code count} rows (batch rows from 3 on, positions from {@code pos}) for
     * every head and checks each row against the reference; rows outside the block must keep the
     * marker they were filled with.
     */
    private static void checkBlock(int layer, int pos, int count, int from) {
        Random random = new Random(1000L * pos + 10L * count + layer);
        Filled filled = new Filled(pos + count, random);
        int qw = HEADS * HEAD_DIM;
        int firstRow = 3;
        int batchRows = firstRow + count + 2;
        float[] qs = new float[batchRows * qw];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = (float) random.nextGaussian();
        }
        float[] ctx = new float[batchRows * qw];
        Arrays.fill(ctx, 77f);
        QueryBlockAttention blocks = new QueryBlockAttention(layer, HEADS, KV_HEADS, HEAD_DIM);
        for (int head = 0; head < HEADS; head++) {
            blocks.attend(qs, firstRow, count, head, pos, from, filled.cache, SCALE, ctx);
        }
        for (int r = 0; r < batchRows; r++) {
            for (int head = 0; head < HEADS; head++) {
                int off = r * qw + head * HEAD_DIM;
                int i = r - firstRow;
                if (i < 0 || i >= count) {
                    for (int d = 0; d < HEAD_DIM; d++) {
                        assertEquals(77f, ctx[off + d], "row " + r + " outside the block was written");
                    }
                    continue;
                }
                double[] expected = filled.reference(qs, off, head, from, pos + i);
                for (int d = 0; d < HEAD_DIM; d++) {
                    assertEquals(
                            expected[d],
                            ctx[off + d],
                            2e-5 * (1 + Math.abs(expected[d])),
                            "layer " + layer + " pos " + pos + " count " + count + " row " + i + " head " + head
                                    + " dim " + d);
                }
            }
        }
    }

    @Test
    void everyBlockSizeMatchesTheReferenceFromTheFirstPosition() {
        for (int count = 1; count <= ROWS; count++) {
            checkBlock(GLOBAL, 0, count, 0);
        }
    }

    @Test
    void aBlockInsideAndAcrossPagesSeesEveryEarlierPosition() {
        // 16-position pages: starts at a page's start, in its middle, and one short of its end.
        for (int pos : new int[] {16, 37, 47, 100}) {
            checkBlock(GLOBAL, pos, ROWS, 0);
            checkBlock(GLOBAL, pos, ROWS / 2 + 1, 0);
        }
    }

    @Test
    void aBlockOnALocalLayerSeesOnlyItsChunk() {
        // Positions 64.. lie in the second chunk: keys before 64 are no longer held, nor seen.
        checkBlock(LOCAL, CHUNK, ROWS, CHUNK);
        checkBlock(LOCAL, CHUNK + 21, ROWS, CHUNK);
    }
}
