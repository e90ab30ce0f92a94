package io.llamastream.tools.bench;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.WeightLoader;
import io.llamastream.engine.weights.Q4Matrix;
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
    /** A {@link WeightFormat} quantized from Gaussian floats, or {@code Q4_K}: random GGUF Q4_K super-blocks repacked as a GGUF load does. */
    @Param({"F32", "BF16", "Q8", "Q4", "Q4_K"})
    public String format;

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
            if (format.equals("Q4_K")) {
                matrix[m] = randomQ4_K(rnd);
                continue;
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            matrix[m] = WeightLoader.fromFloats(WeightFormat.valueOf(format), w, rows, cols);
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        out = new float[tokens * rows];
        pool = new ComputePool(threads);
    }

    /** Bytes of a GGUF Q4_K super-block (256 weights): fp16 d and dmin, 12 bytes of scales and mins, 128 of nibbles. */
    private static final int Q4_K_BYTES = 144;

    /** Random nibbles, scales and mins, with d = 2^-7 and dmin = 2^-8 (fp16 0x2000 and 0x1C00). */
    private WeightMatrix randomQ4_K(SplittableRandom rnd) {
        int supers = rows * (cols / 256);
        byte[] raw = new byte[supers * Q4_K_BYTES];
        rnd.nextBytes(raw);
        for (int s = 0; s < supers; s++) {
            raw[s * Q4_K_BYTES] = 0;
            raw[s * Q4_K_BYTES + 1] = 0x20;
            raw[s * Q4_K_BYTES + 2] = 0;
            raw[s * Q4_K_BYTES + 3] = 0x1C;
        }
        Q4Matrix m = Q4Matrix.forQ4_K(rows, cols);
        m.setRowsQ4_K(0, raw, 0, rows);
        return m;
    }

    @Benchmark
    public float[] multiply() {
        for (WeightMatrix m : matrix) {
            m.multiply(x, tokens, out, pool);
        }
        return out;
    }
}
