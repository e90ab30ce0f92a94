package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.Sampler;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.scheduler.SchedulerConfig;
import io.llamastream.engine.weights.WeightFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Runs the whole benchmark in one process: machine probes, then per weight format (bf16, q8, q4,
 * each loaded alone and dropped before the next) single-stream decode and the next-token
 * distributions of one random prompt (q8 and q4 compared with bf16: mean KL, top-1 agreement);
 * with q8 also the batch sweep, prefill and the prefix-cache hit/miss pair. Returns the figures
 * as JSON.
 */
public final class BenchRunner {

    /** What to run: model, probe size and repetition counts, prompt lengths. */
    public record Options(
            BenchModel model,
            Path cacheRoot,
            long probeBytes,
            long fmaIterations,
            int reps,
            int decodeTokens,
            int batchSteps,
            int[] batchSizes,
            int prefillTokens,
            int sharedPrefix,
            int suffix,
            long warmupNanos,
            int accuracyPositions) {

        public Options(
                BenchModel model,
                Path cacheRoot,
                long probeBytes,
                long fmaIterations,
                int reps,
                int decodeTokens,
                int batchSteps,
                int[] batchSizes,
                int prefillTokens,
                int sharedPrefix,
                int suffix,
                long warmupNanos) {
            this(
                    model,
                    cacheRoot,
                    probeBytes,
                    fmaIterations,
                    reps,
                    decodeTokens,
                    batchSteps,
                    batchSizes,
                    prefillTokens,
                    sharedPrefix,
                    suffix,
                    warmupNanos,
                    64);
        }

        public static Options full(Path cacheRoot) {
            return new Options(
                    BenchModel.full(),
                    cacheRoot,
                    2L << 30,
                    50_000_000L,
                    5,
                    24,
                    6,
                    new int[] {1, 4, 8, 16, 32, 64},
                    256,
                    1000,
                    50,
                    2_000_000_000L,
                    64);
        }

        public static Options quick(Path cacheRoot) {
            return new Options(
                    BenchModel.quick(),
                    cacheRoot,
                    512L << 20,
                    20_000_000L,
                    3,
                    12,
                    3,
                    new int[] {1, 4, 8, 16, 32, 64},
                    128,
                    1000,
                    50,
                    1_000_000_000L,
                    64);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options o;
    private final ComputePool pool;
    private final PrintStream log;
    private final SplittableRandom random;

    public BenchRunner(Options options, ComputePool pool, PrintStream log) {
        this.o = options;
        this.pool = pool;
        this.log = log;
        this.random = new SplittableRandom(options.model().seed());
    }

    /** Bytes of weights one decoded token reads: all dense matrices, top-k experts, LM head, one embedding row. */
    public static long activeWeightBytes(TextModelConfig c, WeightFormat f) {
        double bpw = f.bytesPerWeight();
        long h = c.hiddenSize();
        long attn = h * c.numHeads() * c.headDim() * 2L + h * c.numKvHeads() * c.headDim() * 2L;
        double bytes = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            bytes += attn * bpw + 2 * h * Float.BYTES;
            if (c.moeLayers()[l]) {
                bytes += (long) c.numExperts() * h * Float.BYTES
                        + (1 + c.expertsPerToken()) * 3L * h * c.intermediateSize() * bpw;
            } else {
                bytes += 3L * h * c.intermediateSizeMlp() * bpw;
            }
        }
        bytes += h * Float.BYTES + (double) c.vocabSize() * h * bpw + h * (f == WeightFormat.F32 ? 4 : 2);
        return (long) bytes;
    }

    /** Multiply-add FLOPs of one token through the matrices (2 per weight), excluding attention scores. */
    static double matrixFlopsPerToken(TextModelConfig c) {
        long h = c.hiddenSize();
        double w = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            w += h * c.numHeads() * c.headDim() * 2.0 + h * c.numKvHeads() * c.headDim() * 2.0;
            w += c.moeLayers()[l]
                    ? (double) c.numExperts() * h + (1 + c.expertsPerToken()) * 3.0 * h * c.intermediateSize()
                    : 3.0 * h * c.intermediateSizeMlp();
        }
        w += (double) c.vocabSize() * h;
        return 2 * w;
    }

    public ObjectNode run() {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode details = JSON.createObjectNode();
        long t0 = System.nanoTime();
        double bw = Probes.readBandwidthGbps(o.probeBytes(), o.reps(), pool);
        log.printf(
                "bandwidth probe: %.1f GB/s (%d MB streamed, %d threads)%n", bw, o.probeBytes() >> 20, pool.threads());
        double fma = Probes.fmaGflops(o.fmaIterations(), o.reps(), pool);
        log.printf("fma probe: %.1f GFLOP/s%n", fma);
        out.put("bandwidth_probe_gbps", round(bw));
        out.put("fma_probe_gflops", round(fma));

        Path dir = o.model().ensure(o.cacheRoot(), pool, log);
        // The probe's array (and the generator's buffers) must not share the old generation with
        // the first model: collect them before loading so their pages are reused, not added.
        System.gc();
        TextModelConfig config = TextModelConfig.read(dir.resolve("config.json"));
        ObjectNode decode = out.putObject("decode");
        long maxWeightBytes = 0;
        long peakRss = -1;
        ObjectNode formatBytes = details.putObject("weight_bytes_by_format");
        ObjectNode accuracy = out.putObject("accuracy");
        // The accuracy prompt: drawn first so it does not depend on what else ran.
        int[] accuracyPrompt = randomTokens(o.accuracyPositions(), config.vocabSize());
        float[] reference = null;
        // bf16 first: its logits are the reference, and its (largest) weights are resident while
        // little else is, so the peak RSS is the bf16 model's.
        for (WeightFormat f : new WeightFormat[] {WeightFormat.BF16, WeightFormat.Q8, WeightFormat.Q4}) {
            String key = f.name().toLowerCase();
            long l0 = System.nanoTime();
            TextModel model;
            try (Checkpoint ck = Checkpoint.open(dir)) {
                model = TextModel.load(ck, config, -1, pool, f);
            }
            double loadS = (System.nanoTime() - l0) / 1e9;
            maxWeightBytes = Math.max(maxWeightBytes, model.weightBytes());
            formatBytes.put(key, model.weightBytes());
            long active = activeWeightBytes(config, f);
            log.printf(
                    "%s: loaded %.2f GB in %.1f s; %.3f GB read per decoded token%n",
                    key, model.weightBytes() / 1e9, loadS, active / 1e9);
            float[] logits = model.forward(new Batch().add(model.newCache(), accuracyPrompt), true);
            if (f == WeightFormat.BF16) {
                reference = logits;
            } else {
                Accuracy.Result a = Accuracy.compare(reference, logits, accuracyPrompt.length, config.vocabSize());
                ObjectNode an = accuracy.putObject(key);
                an.put("kl", a.meanKl());
                an.put("top1", round(a.top1Agreement()));
                an.put("positions", a.positions());
                log.printf(
                        "%s vs bf16 over %d positions: mean KL %.3g nats, top-1 agreement %.3f%n",
                        key, a.positions(), a.meanKl(), a.top1Agreement());
            }
            logits = null;
            double tps = singleStream(model);
            ObjectNode d = decode.putObject(key);
            d.put("tokens_per_s", round(tps));
            d.put("weight_gbps", round(tps * active / 1e9));
            details.put(key + "_load_s", round(loadS));
            details.put(key + "_active_weight_bytes", active);
            log.printf(
                    "%s decode: %.2f tok/s, %.1f GB/s effective (%.0f%% of probe)%n",
                    key, tps, tps * active / 1e9, 100 * tps * active / 1e9 / bw);
            if (f == WeightFormat.Q8) {
                batchSweep(model, out);
                prefill(model, config, out, fma);
                prefix(model, out);
            }
            if (f == WeightFormat.BF16) {
                // The peak while the largest model is loaded and in use. The forced full GC that
                // drops it (below) makes ParallelGC touch its mark bitmap over the whole used old
                // generation (~1/32 of it) while those pages are still resident: an artifact of
                // swapping models in one process, reported separately as peak_rss_end_bytes.
                peakRss = Probes.peakRssBytes();
            }
            model = null;
            System.gc();
        }
        out.put("peak_rss_bytes", peakRss);
        details.put("peak_rss_end_bytes", Probes.peakRssBytes());
        out.put("weight_bytes", maxWeightBytes);
        details.put("model", dir.getFileName().toString());
        details.put("total_parameters", o.model().totalParameters());
        details.put("threads", pool.threads());
        details.put("java", Probes.javaRuntime());
        details.put("seconds", round((System.nanoTime() - t0) / 1e9));
        out.set("details", details);
        return out;
    }

    private int[] randomTokens(int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(vocab);
        }
        return t;
    }

    /** Decode tokens per second of one sequence after a 16-token prompt (warm-up steps untimed). */
    private double singleStream(TextModel model) {
        int vocab = model.config().vocabSize();
        KvCache cache = model.newCache();
        float[] logits = model.forward(new Batch().add(cache, randomTokens(16, vocab)), false);
        // Warm up until the kernels are compiled by C2 (interpreted/C1 Vector API code is orders of
        // magnitude slower): at least 4 steps and one second, then until a step is as fast as the best.
        float[][] last = {logits};
        SteadyWarmup.run(
                () -> {
                    long s = System.nanoTime();
                    last[0] =
                            model.forward(new Batch().add(cache, new int[] {Sampler.argmax(last[0], 0, vocab)}), false);
                    return System.nanoTime() - s;
                },
                4,
                o.warmupNanos(),
                10 * o.warmupNanos());
        logits = last[0];
        long t0 = System.nanoTime();
        for (int i = 0; i < o.decodeTokens(); i++) {
            logits = model.forward(new Batch().add(cache, new int[] {Sampler.argmax(logits, 0, vocab)}), false);
        }
        return o.decodeTokens() / ((System.nanoTime() - t0) / 1e9);
    }

    private void batchSweep(TextModel model, ObjectNode out) {
        int vocab = model.config().vocabSize();
        ObjectNode batch = out.putObject("batch_tokens_per_s");
        double one = 0;
        for (int b : o.batchSizes()) {
            KvCache[] caches = new KvCache[b];
            Batch prefill = new Batch();
            for (int s = 0; s < b; s++) {
                caches[s] = model.newCache();
                prefill.add(caches[s], randomTokens(8, vocab));
            }
            float[] logits = model.forward(prefill, false);
            // Untimed steps until this batch size's kernel paths are C2-compiled (each size takes
            // other tiles: a first use runs interpreted Vector API code, orders of magnitude slower),
            // i.e. until a step is as fast as the best one, not for a fixed time.
            float[][] last = {logits};
            SteadyWarmup.run(
                    () -> {
                        long s = System.nanoTime();
                        last[0] = step(model, caches, last[0], vocab);
                        return System.nanoTime() - s;
                    },
                    2,
                    o.warmupNanos() / 4,
                    5 * o.warmupNanos());
            logits = last[0];
            long t0 = System.nanoTime();
            for (int i = 0; i < o.batchSteps(); i++) {
                logits = step(model, caches, logits, vocab);
            }
            double tps = (double) b * o.batchSteps() / ((System.nanoTime() - t0) / 1e9);
            if (b == 1) {
                one = tps;
            }
            batch.put(Integer.toString(b), round(tps));
            log.printf(
                    "q8 batch %2d: %.2f tok/s aggregate (%.1fx batch 1)%n", b, tps, one > 0 ? tps / one : Double.NaN);
        }
    }

    private static float[] step(TextModel model, KvCache[] caches, float[] logits, int vocab) {
        Batch batch = new Batch();
        for (int s = 0; s < caches.length; s++) {
            batch.add(caches[s], new int[] {Sampler.argmax(logits, s * vocab, vocab)});
        }
        return model.forward(batch, false);
    }

    private void prefill(TextModel model, TextModelConfig c, ObjectNode out, double fmaProbe) {
        int vocab = c.vocabSize();
        int n = o.prefillTokens();
        // Untimed prefills of the same length until one is as fast as the best: the one timed prefill
        // must not include a kernel path's first, interpreted use.
        SteadyWarmup.run(
                () -> {
                    int[] warm = randomTokens(n, vocab);
                    long s = System.nanoTime();
                    model.forward(new Batch().add(model.newCache(), warm), false);
                    return System.nanoTime() - s;
                },
                2,
                0,
                5 * o.warmupNanos());
        int[] prompt = randomTokens(n, vocab);
        long t0 = System.nanoTime();
        model.forward(new Batch().add(model.newCache(), prompt), false);
        double s = (System.nanoTime() - t0) / 1e9;
        // Matrices for every row except the LM head (last row only), plus QK^T and PV over the causal context.
        double flops = (matrixFlopsPerToken(c) - 2.0 * vocab * c.hiddenSize()) * n
                + 2.0 * vocab * c.hiddenSize()
                + 4.0 * c.numLayers() * c.numHeads() * c.headDim() * (n * (n + 1) / 2.0);
        out.put("prefill_tokens_per_s", round(n / s));
        out.put("prefill_gflops", round(flops / s / 1e9));
        log.printf(
                "q8 prefill %d tokens: %.1f tok/s, %.1f GFLOP/s (%.0f%% of probe)%n",
                n, n / s, flops / s / 1e9, 100 * flops / s / 1e9 / fmaProbe);
    }

    private void prefix(TextModel model, ObjectNode out) {
        int vocab = model.config().vocabSize();
        int[] shared = randomTokens(o.sharedPrefix(), vocab);
        try (Scheduler scheduler = new Scheduler(model, SchedulerConfig.defaults())) {
            InferenceResult miss = timed(scheduler, concat(shared, randomTokens(o.suffix(), vocab)));
            InferenceResult hit = timed(scheduler, concat(shared, randomTokens(o.suffix(), vocab)));
            double missS = lastSeconds[0];
            double hitS = lastSeconds[1];
            out.put("prefix_cache_hit_s", round(hitS));
            out.put("prefix_cache_miss_s", round(missS));
            log.printf(
                    "q8 prefix %d + %d tokens: miss %.3f s (%d cached), hit %.3f s (%d cached): %.1fx%n",
                    o.sharedPrefix(), o.suffix(), missS, miss.cachedTokens(), hitS, hit.cachedTokens(), missS / hitS);
        }
    }

    private final double[] lastSeconds = new double[2];
    private int timedCalls;

    private InferenceResult timed(Scheduler scheduler, int[] prompt) {
        long t0 = System.nanoTime();
        InferenceResult r = scheduler
                .submit(InferenceRequest.generate(prompt, SamplingParams.greedy(1)))
                .result()
                .join();
        lastSeconds[timedCalls++ % 2] = (System.nanoTime() - t0) / 1e9;
        return r;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** The human-readable table of a result. */
    public static String table(ObjectNode r) {
        StringBuilder sb = new StringBuilder();
        double bw = r.path("bandwidth_probe_gbps").asDouble();
        double fma = r.path("fma_probe_gflops").asDouble();
        sb.append(String.format("%-34s %12s %s%n", "measure", "value", "vs probe / goal"));
        sb.append(String.format("%-34s %12.1f%n", "bandwidth probe (GB/s)", bw));
        sb.append(String.format("%-34s %12.1f%n", "FMA probe (GFLOP/s)", fma));
        for (String f : new String[] {"bf16", "q8", "q4"}) {
            var d = r.path("decode").path(f);
            sb.append(String.format(
                    "%-34s %12.2f %.1f GB/s = %.0f%% of probe%n",
                    f + " decode (tok/s, 1 stream)",
                    d.path("tokens_per_s").asDouble(),
                    d.path("weight_gbps").asDouble(),
                    100 * d.path("weight_gbps").asDouble() / bw));
        }
        double one = r.path("batch_tokens_per_s").path("1").asDouble();
        r.path("batch_tokens_per_s")
                .fields()
                .forEachRemaining(e -> sb.append(String.format(
                        "%-34s %12.2f %.1fx batch 1%n",
                        "q8 batch " + e.getKey() + " (tok/s aggregate)",
                        e.getValue().asDouble(),
                        e.getValue().asDouble() / one)));
        sb.append(String.format(
                "%-34s %12.1f %.1f GFLOP/s = %.0f%% of probe%n",
                "q8 prefill (tok/s)",
                r.path("prefill_tokens_per_s").asDouble(),
                r.path("prefill_gflops").asDouble(),
                100 * r.path("prefill_gflops").asDouble() / fma));
        double hit = r.path("prefix_cache_hit_s").asDouble();
        double miss = r.path("prefix_cache_miss_s").asDouble();
        sb.append(String.format(
                "%-34s %12.3f miss %.3f s = %.1fx faster%n", "q8 prefix-cache hit (s)", hit, miss, miss / hit));
        for (String f : new String[] {"q8", "q4"}) {
            var a = r.path("accuracy").path(f);
            if (a.has("kl")) {
                sb.append(String.format(
                        "%-34s %12.4g top-1 agreement %.3f (%d positions)%n",
                        f + " vs bf16: mean KL (nats)",
                        a.path("kl").asDouble(),
                        a.path("top1").asDouble(),
                        a.path("positions").asInt()));
            }
        }
        sb.append(String.format(
                "%-34s %12.2f weights %.2f GB = %.2fx%n",
                "peak RSS, bf16 loaded (GB)",
                r.path("peak_rss_bytes").asDouble() / 1e9,
                r.path("weight_bytes").asDouble() / 1e9,
                r.path("peak_rss_bytes").asDouble() / r.path("weight_bytes").asDouble()));
        return sb.toString();
    }
}
