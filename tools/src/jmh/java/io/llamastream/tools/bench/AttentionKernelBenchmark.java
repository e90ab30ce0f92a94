package io.llamastream.tools.bench;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.kv.KvPagePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.model.QueryBlockAttention;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One query head's attention over {@code keys} cached positions, step by step, one thread: the
 * scores ({@code dotRows}, against a {@code dot} per key), the softmax, and the weighted sum of
 * values ({@code axpyRows}, against an {@code axpy} per key). Keys and values are laid out as the
 * KV cache lays them out: one row of {@code kvWidth} floats per position, the head's slice at its
 * offset. Divide a figure by {@code keys} for the cost per key.
 *
 * <p>And a prefill's last query block ({@link QueryBlockAttention#ROWS} rows, Scout's geometry: 8
 * KV heads of 128) over {@code keys} positions of a KV cache, against the same rows one by one
 * through the scores, softmax and weighted sum above.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class AttentionKernelBenchmark {
    @Param({"512"})
    public int keys;

    @Param({"128"})
    public int headDim;

    /** Floats per cached position: every KV head's slice (4 heads of 128 in the bench model). */
    @Param({"512"})
    public int kvWidth;

    private float[] query;
    private float[] keyRows;
    private float[] valueRows;
    private float[] scores;
    private float[] context;

    private static final int ROWS = QueryBlockAttention.ROWS;
    private final TextModelConfig scout = GeometryBench.config("scout", 1);
    private KvCache cache;
    private float[] blockQueries;
    private float[] blockContext;
    private QueryBlockAttention block;

    @Setup
    public void setup() {
        int hd = scout.headDim();
        int kw = scout.numKvHeads() * hd;
        cache = new KvCache(scout, new KvPagePool(scout, 16, Long.MAX_VALUE));
        SplittableRandom cacheRandom = new SplittableRandom(2);
        for (int p = 0; p < keys; p++) {
            cache.store(0, p, random(cacheRandom, kw), 0, random(cacheRandom, kw), 0);
        }
        blockQueries = random(cacheRandom, ROWS * scout.numHeads() * hd);
        blockContext = new float[blockQueries.length];
        block = new QueryBlockAttention(0, scout.numHeads(), scout.numKvHeads(), hd);
        SplittableRandom random = new SplittableRandom(1);
        query = random(random, headDim);
        keyRows = random(random, keys * kvWidth);
        valueRows = random(random, keys * kvWidth);
        scores = random(random, keys);
        context = new float[headDim];
    }

    @Benchmark
    public float[] scoresByDotRows() {
        FloatKernels.dotRows(query, 0, keyRows, 0, kvWidth, keys, scores, 0, headDim);
        return scores;
    }

    @Benchmark
    public float[] scoresByOneDotPerKey() {
        for (int j = 0; j < keys; j++) {
            scores[j] = FloatKernels.dot(query, 0, keyRows, j * kvWidth, headDim);
        }
        return scores;
    }

    @Benchmark
    public float[] scaledSoftmax() {
        FloatKernels.scaledSoftmax(scores, 0, keys, 0.088f);
        return scores;
    }

    @Benchmark
    public float[] valuesByAxpyRows() {
        FloatKernels.axpyRows(scores, 0, keys, valueRows, 0, kvWidth, context, 0, headDim);
        return context;
    }

    @Benchmark
    public float[] valuesByOneAxpyPerKey() {
        for (int j = 0; j < keys; j++) {
            FloatKernels.axpy(scores[j], valueRows, j * kvWidth, context, 0, headDim);
        }
        return context;
    }

    @Benchmark
    public float[] queryBlockOfOneHead() {
        block.attend(blockQueries, 0, ROWS, 0, keys - ROWS, 0, cache, 0.088f, blockContext);
        return blockContext;
    }

    @Benchmark
    public float[] sameRowsOneByOne() {
        int hd = scout.headDim();
        int kw = scout.numKvHeads() * hd;
        for (int i = 0; i < ROWS; i++) {
            int n = keys - ROWS + i + 1;
            int qo = i * scout.numHeads() * hd;
            for (int j = 0; j < n; j += 16) {
                int run = Math.min(16, n - j);
                FloatKernels.dotRows(
                        blockQueries, qo, cache.keyPage(0, j), cache.pageOffset(0, j), kw, run, scores, j, hd);
            }
            FloatKernels.scaledSoftmax(scores, 0, n, 0.088f);
            Arrays.fill(blockContext, qo, qo + hd, 0f);
            for (int j = 0; j < n; j += 16) {
                int run = Math.min(16, n - j);
                FloatKernels.axpyRows(
                        scores, j, run, cache.valuePage(0, j), cache.pageOffset(0, j), kw, blockContext, qo, hd);
            }
        }
        return blockContext;
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * 0.1f;
        }
        return a;
    }
}
