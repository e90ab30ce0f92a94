package io.llamastream.tools.bench;

import com.sun.management.OperatingSystemMXBean;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.vision.VisionEncoder;
import io.llamastream.engine.weights.WeightFormat;
import java.lang.management.ManagementFactory;
import java.time.LocalTime;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;

/**
 * One Scout-sized vision tile (hidden 1408, 16 heads, MLP 5632, 336 pixels = 577 rows, random
 * weights) through {@link VisionEncoder#encode}, timed in wall seconds and process CPU seconds and
 * scaled to the real 34 layers, next to the FMA probe measured the same way on the same threads.
 * CPU time keeps figures taken on a loaded machine comparable; wall time over CPU time shows
 * whether both cores stay busy. Not a test: run it by hand (docs/benchmarks.md). Arguments:
 * layers reps format threads (default 2 5 BF16 and the machine's cores). Each run line starts with
 * the time of day at its end, so a JFR recording started with the JVM can be cut to warm runs
 * (starting a recording mid-run deoptimises the kernels, see docs/benchmarks.md).
 */
public final class VisionCpuTime {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Real Scout tower depth: figures are scaled from the measured layers to this. */
    private static final int SCOUT_LAYERS = 34;

    private VisionCpuTime() {}

    public static void main(String[] args) {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        WeightFormat format = WeightFormat.valueOf(args.length > 2 ? args[2] : "BF16");
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : ComputePool.defaultThreads();
        ComputePool pool = new ComputePool(threads);
        VisionConfig cfg = new VisionConfig(
                1408, layers, 16, 5632, 336, 14, 3, 1e-5f, 0.5, 4096, 4096, 4096, 10000.0, 5120, 200092, 200080,
                200081);
        SplittableRandom rnd = new SplittableRandom(42);
        VisionEncoder enc = VisionEncoder.fromTensors(cfg, (name, shape) -> random(rnd, name, shape), pool, format);
        float[] pixels = new float[3 * 336 * 336];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rnd.nextDouble(-1, 1);
        }
        int n = cfg.grid() * cfg.grid() + 1;
        long h = cfg.hiddenSize();
        long im = cfg.intermediateSize();
        double macPerLayer = n * (4 * h * h + 2 * h * im) + 2.0 * n * n * h;
        long iterations = 20_000_000;
        float[] partial = new float[threads];
        float sink = Probes.fmaChains(iterations, pool, partial) + Probes.fmaChains(iterations, pool, partial);
        long c0 = OS.getProcessCpuTime();
        long w0 = System.nanoTime();
        for (int r = 0; r < 3; r++) {
            sink += Probes.fmaChains(iterations, pool, partial);
        }
        double probeFlops = 3 * Probes.fmaChainFlops(iterations, threads);
        double probeCpu = (OS.getProcessCpuTime() - c0) / 1e9;
        double probeWall = (System.nanoTime() - w0) / 1e9;
        System.out.printf(
                "FMA probe (%d threads, %d-bit): %.1f GFLOP/s per CPU second, %.1f GFLOP/s wall (%s)%n",
                threads,
                FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                probeFlops / probeCpu / 1e9,
                probeFlops / probeWall / 1e9,
                sink == 0 ? "" : "3 passes");
        double perCpu = probeFlops / probeCpu / 1e9;
        for (int r = 0; r < reps; r++) {
            long cpu = OS.getProcessCpuTime();
            long wall = System.nanoTime();
            enc.encode(pixels, 1);
            double cs = (OS.getProcessCpuTime() - cpu) / 1e9 * SCOUT_LAYERS / layers;
            double ws = (System.nanoTime() - wall) / 1e9 * SCOUT_LAYERS / layers;
            double gmacPerCpu = macPerLayer * SCOUT_LAYERS / cs / 1e9;
            System.out.printf(
                    "%s run %d: %s, %d of 34 layers, tile scaled to 34: %.2f CPU-s, %.2f wall-s (CPU/wall %.2f),"
                            + " %.1f GMAC per CPU-s = %.0f%% of the probe per CPU-s%n",
                    LocalTime.now(), r, format, layers, cs, ws, cs / ws, gmacPerCpu, 100 * 2 * gmacPerCpu / perCpu);
        }
        pool.close();
    }

    private static float[] random(SplittableRandom rnd, String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] w = new float[Math.toIntExact(n)];
        boolean ones = name.contains("layernorm") && name.endsWith("weight");
        for (int i = 0; i < w.length; i++) {
            w[i] = ones ? 1f : (float) (rnd.nextDouble(-1, 1) * 0.02 * 1.7);
        }
        return w;
    }
}
