package io.llamastream.tools.bench;

import io.llamastream.engine.math.ComputePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Machine probes the model figures are compared with: streaming read bandwidth and FMA throughput. */
public final class Probes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Keeps results alive so the JIT cannot drop the probe loops. */
    static volatile float sink;

    private Probes() {}

    /** Best-of-{@code reps} GB/s of summing a {@code bytes}-long float array, split over the pool's threads. */
    public static double readBandwidthGbps(long bytes, int reps, ComputePool pool) {
        int n = (int) Math.min(Integer.MAX_VALUE - 64, bytes / Float.BYTES);
        n -= n % (4 * F.length());
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i & 7;
        }
        int blocks = n / (4 * F.length());
        float[] partial = new float[blocks + 1];
        double best = Double.MAX_VALUE;
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            pool.forRange(
                    blocks, 1L << 20, (from, to) -> partial[from] = sum(a, from * 4 * F.length(), to * 4 * F.length()));
            long dt = System.nanoTime() - t0;
            if (r > 0) {
                best = Math.min(best, dt);
            }
            sink += partial[0];
        }
        return (double) n * Float.BYTES / best;
    }

    private static float sum(float[] a, int from, int to) {
        int l = F.length();
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        for (int i = from; i < to; i += 4 * l) {
            s0 = s0.add(FloatVector.fromArray(F, a, i));
            s1 = s1.add(FloatVector.fromArray(F, a, i + l));
            s2 = s2.add(FloatVector.fromArray(F, a, i + 2 * l));
            s3 = s3.add(FloatVector.fromArray(F, a, i + 3 * l));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    /** Best-of-{@code reps} GFLOP/s of independent vector FMA chains, one set per pool thread. */
    public static double fmaGflops(long iterations, int reps, ComputePool pool) {
        int threads = pool.threads();
        double best = Double.MAX_VALUE;
        float[] partial = new float[threads];
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            sink += fmaChains(iterations, pool, partial);
            long dt = System.nanoTime() - t0;
            if (r > 0) {
                best = Math.min(best, dt);
            }
        }
        return threads * (double) iterations * 12 * F.length() * 2 / best;
    }

    /**
     * One pass of the FMA probe: {@code iterations} steps of 12 independent vector FMA chains on
     * each pool thread ({@code 2 * 12 * lanes * iterations * threads} FLOPs); {@code partial} has
     * one slot per thread. Returns a value the caller must consume.
     */
    public static float fmaChains(long iterations, ComputePool pool, float[] partial) {
        int threads = pool.threads();
        pool.forRange(threads, Long.MAX_VALUE / threads / 2, (from, to) -> {
            for (int i = from; i < to; i++) {
                partial[i] = chains(iterations, i);
            }
        });
        return partial[0];
    }

    /** FLOPs of one {@link #fmaChains} pass. */
    public static double fmaChainFlops(long iterations, int threads) {
        return threads * (double) iterations * 12 * F.length() * 2;
    }

    private static float chains(long iterations, int seed) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f);
        FloatVector c = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, seed + 1f);
        FloatVector a1 = a0.add(1);
        FloatVector a2 = a0.add(2);
        FloatVector a3 = a0.add(3);
        FloatVector a4 = a0.add(4);
        FloatVector a5 = a0.add(5);
        FloatVector a6 = a0.add(6);
        FloatVector a7 = a0.add(7);
        FloatVector a8 = a0.add(8);
        FloatVector a9 = a0.add(9);
        FloatVector a10 = a0.add(10);
        FloatVector a11 = a0.add(11);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1)
                .add(a2)
                .add(a3)
                .add(a4)
                .add(a5)
                .add(a6)
                .add(a7)
                .add(a8)
                .add(a9)
                .add(a10)
                .add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /**
     * The running JVM, as {@code "OpenJDK 64-Bit Server VM 25.0.3+9-LTS"}: the kernels' speed depends on the JDK's
     * Vector API compiler (docs/benchmarks.md, session 11), so every figure is reported with it.
     */
    public static String javaRuntime() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    /** The process's peak resident set (VmHWM), or -1 where /proc is unavailable. */
    public static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
