package io.llamastream.tools.bench;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.WeightLoader;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
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
 * Matrix x batch-of-rows kernels per weight format: {@code out = x @ W.T} with W
 * {@code [rows, cols]} and x {@code [tokens, cols]}, on a pool of {@code threads}. Divide the
 * weight bytes ({@code matrices * rows * cols * bytesPerWeight}) by the time for GB/s, or
 * {@code 2 * matrices * rows * cols * tokens} for FLOP/s, and compare with {@link FmaProbeBenchmark}
 * run in the same JMH invocation. Run with {@code -Pjmh} (see docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx6g"})
public class KernelBenchmark {
    @Param({"F32", "BF16", "Q8", "Q4"})
    public WeightFormat format;

    @Param({"1", "2", "4", "16", "32", "64", "256", "512"})
    public int tokens;

    @Param({"8192"})
    public int rows;

    @Param({"2048"})
    public int cols;

    @Param({"2"})
    public int threads;
    /**
     * Distinct matrices multiplied per operation, in turn: 1 keeps an 8192x2048 Q8 matrix
     * (19 MB) in a 32 MB L3; 8 or more make the one-token case stream from memory as in decode.
     */
    @Param({"1"})
    public int matrices;

    private WeightMatrix[] matrix;
    private float[] x;
    private float[] out;
    private ComputePool pool;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] w = new float[rows * cols];
        matrix = new WeightMatrix[matrices];
        for (int m = 0; m < matrices; m++) {
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            matrix[m] = WeightLoader.fromFloats(format, w, rows, cols);
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        out = new float[tokens * rows];
        pool = new ComputePool(threads);
    }

    @Benchmark
    public float[] multiply() {
        for (WeightMatrix m : matrix) {
            m.multiply(x, tokens, out, pool);
        }
        return out;
    }
}
