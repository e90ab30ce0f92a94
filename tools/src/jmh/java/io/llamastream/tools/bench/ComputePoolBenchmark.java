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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What handing ranges to the compute pool costs: one operation is one {@code forRange} over
 * {@code threads} ranges, each summing {@code work} longs. With {@code work = 0} it is the
 * hand-off alone; a decode step makes hundreds of them, microseconds apart.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
public class ComputePoolBenchmark {
    @Param({"2"})
    public int threads;

    @Param({"0", "20000"})
    public int work;

    private ComputePool pool;
    private long[] sums;

    @Setup
    public void setup() {
        pool = new ComputePool(threads);
        sums = new long[threads];
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public long[] handOff() {
        int n = work;
        pool.forRange(threads, 1L << 20, (from, to) -> {
            long s = from;
            for (int k = 0; k < n; k++) {
                s += k ^ s;
            }
            sums[from] = s;
        });
        return sums;
    }
}
