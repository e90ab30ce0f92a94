package io.llamastream.tools.bench;

import io.llamastream.engine.math.ComputePool;
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
 * The {@code bench} FMA probe as a JMH benchmark, the ceiling {@link KernelBenchmark}'s FLOP/s are
 * read against when both run in one JMH invocation: one operation is {@link #ITERATIONS} steps of
 * 12 independent vector FMA chains per thread, i.e. {@code Probes.fmaChainFlops(ITERATIONS, threads)}
 * FLOPs (with 512-bit vectors and 2 threads: 768 MFLOP).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class FmaProbeBenchmark {
    static final long ITERATIONS = 1_000_000;

    @Param({"2"})
    public int threads;

    private ComputePool pool;
    private float[] partial;

    @Setup
    public void setup() {
        pool = new ComputePool(threads);
        partial = new float[threads];
    }

    @Benchmark
    public float fma() {
        return Probes.fmaChains(ITERATIONS, pool, partial);
    }
}
