package io.llamastream.tools.bench;

import io.llamastream.engine.math.FloatKernels;
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

    @Setup
    public void setup() {
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

    private static float[] random(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * 0.1f;
        }
        return a;
    }
}
