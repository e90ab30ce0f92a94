package io.llamastream.tools.bench;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;

/**
 * The many-row core's speed per CPU second on one thread, next to the FMA probe measured the same
 * way: thread CPU time is not inflated by other processes taking the core, so figures taken on a
 * loaded machine stay comparable (cache interference from them still costs something). Not a
 * test: run it by hand (docs/benchmarks.md). Arguments: rows cols matrices (default 1024 2048 4).
 */
public final class KernelCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private KernelCpuTime() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        ComputePool one = new ComputePool(1);
        long iterations = 20_000_000;
        Probes.fmaGflops(iterations, 2, one);
        long t0 = cpu();
        Probes.fmaGflops(iterations, 3, one);
        double probe = 4.0 * iterations * 24 * FloatVector.SPECIES_PREFERRED.length() / (cpu() - t0);
        System.out.printf(
                "FMA probe: %.1f GFLOP/s per CPU second, one thread, %d-bit vectors%n",
                probe, FloatVector.SPECIES_PREFERRED.vectorBitSize());
        SplittableRandom rnd = new SplittableRandom(1);
        for (WeightFormat format :
                new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16, WeightFormat.Q8, WeightFormat.Q4}) {
            WeightMatrix[] m = new WeightMatrix[count];
            for (int i = 0; i < count; i++) {
                m[i] = format.fromFloats(random(rnd, rows * cols), rows, cols);
            }
            StringBuilder line = new StringBuilder(format + " " + rows + "x" + cols + " x" + count + ":");
            for (int tokens : new int[] {1, 4, 16, 64, 256}) {
                float[] x = random(rnd, tokens * cols);
                float[] out = new float[tokens * rows];
                double flops = 2.0 * rows * cols * tokens * count;
                int reps = (int) Math.max(3, 4e9 / flops);
                for (int r = 0; r < Math.max(2, reps / 2); r++) {
                    for (WeightMatrix w : m) {
                        w.multiply(x, tokens, out, one);
                    }
                }
                long best = Long.MAX_VALUE;
                for (int r = 0; r < reps; r++) {
                    long s = cpu();
                    for (WeightMatrix w : m) {
                        w.multiply(x, tokens, out, one);
                    }
                    best = Math.min(best, cpu() - s);
                }
                double gflops = flops / best;
                line.append(String.format(" %d tok %.1f GFLOP/s (%.0f%%)", tokens, gflops, 100 * gflops / probe));
            }
            System.out.println(line);
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        return w;
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
