package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.checkpoint.ModelPath;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.Sampler;
import io.llamastream.engine.weights.ArrayAlignment;
import io.llamastream.engine.weights.WeightFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code bench --model PATH}: any model a user holds (a folder or a GGUF file), measured the way
 * llama-bench does: load time and read throughput, {@code pp N} (a prompt of N random tokens in
 * one batch from an empty cache, tokens per second) and {@code tg N} (N tokens decoded one at a
 * time from an empty cache), each over several runs after an untimed warm-up. With a batch size
 * B > 1 also {@code tg N xB}: B sequences (8-token prompts) decoded N steps together, aggregate
 * tokens per second, and its ratio to {@code tg N} in the same run.
 */
public final class ModelBench {
    /**
     * What to measure: model path, weight format, prompt and generation lengths, timed runs, batch
     * (0: none), and a peer engine's command to time in {@code pairs} interleaved pairs per test
     * (null: none; see {@link PeerPairs}).
     */
    public record Options(
            Path model, WeightFormat format, int prompt, int gen, int runs, int batch, List<String> peer, int pairs) {
        public Options(Path model, WeightFormat format, int prompt, int gen, int runs, int batch) {
            this(model, format, prompt, gen, runs, batch, null, 0);
        }

        public Options(Path model, WeightFormat format, int prompt, int gen, int runs) {
            this(model, format, prompt, gen, runs, 0);
        }
    }

    private final Options o;
    private final ComputePool pool;
    private final PrintStream log;

    public ModelBench(Options options, ComputePool pool, PrintStream log) {
        this.o = options;
        this.pool = pool;
        this.log = log;
    }

    public ObjectNode run() {
        long fileBytes = fileBytes(o.model());
        long t0 = System.nanoTime();
        // Each test runs one sequence in a fresh cache; plan for a prompt's and a decode's cache at once.
        Llama4Model m = Llama4Model.loadForSequence(o.model(), pool, o.format(), o.prompt() + o.gen());
        double loadS = (System.nanoTime() - t0) / 1e9;
        TextModel tm = m.textModel();
        log.printf(
                Locale.ROOT,
                "%s: loaded %.2f GB of file (%.2f GB of weights as %s) in %.2f s, %.2f GB/s%n",
                m.name(),
                fileBytes / 1e9,
                tm.weightBytes() / 1e9,
                tm.format(),
                loadS,
                fileBytes / 1e9 / loadS);
        // A GGUF's Q8_0 tensors serve from the file's mapping until a background thread has
        // repacked them; the timed runs are of the repacked model, so wait for it.
        m.repacked().join();
        double fullSpeedS = (System.nanoTime() - t0) / 1e9;
        log.printf(
                Locale.ROOT,
                "%s: at full speed %.2f s after the load began (a GGUF's Q8_0 is repacked in the background)%n",
                m.name(),
                fullSpeedS);
        int vocab = Math.min(m.config().vocabSize(), m.tokenizer().vocabSize());
        // Untimed: a full-length prefill and a short decode per step, until a step is as fast as the
        // best (every kernel path the timed runs take is then C2-compiled; a first use runs boxed
        // Vector API code). Both phases in each step: the layers' driver methods are compiled for
        // the mix of paths they see, so the first timed decode is not where they are recompiled
        // (a prefill-only warm-up left it 10-30% slow).
        long[] seed = {-1};
        SteadyWarmup.run(
                () -> (long)
                        ((prefill(tm, o.prompt(), vocab, seed[0]--) + decode(tm, Math.min(o.gen(), 32), vocab)) * 1e9),
                3,
                0,
                60_000_000_000L);
        int batch = o.batch();
        if (batch > 1) {
            batchDecode(tm, batch, Math.min(o.gen(), 4), vocab);
        }
        // The machine's own ceilings in the same run, so prefill and batching read as fractions of them.
        double bandwidth = Probes.readBandwidthGbps(512L << 20, 3, pool);
        double fma = Probes.fmaGflops(20_000_000L, 3, pool);
        log.printf(
                Locale.ROOT,
                "probes: bandwidth %.1f GB/s, FMA %.1f GFLOP/s; %s%n",
                bandwidth,
                fma,
                Probes.javaRuntime());
        ArrayAlignment.advice(ArrayAlignment.ofRunningJvm()).ifPresent(advice -> log.println("warning: " + advice));
        double[] pp = new double[o.runs()];
        double[] tg = new double[o.runs()];
        double[] bt = new double[o.runs()];
        for (int r = 0; r < o.runs(); r++) {
            pp[r] = o.prompt() / prefill(tm, o.prompt(), vocab, r + 1);
            tg[r] = o.gen() / decode(tm, o.gen(), vocab);
            log.printf(
                    Locale.ROOT,
                    "run %d: pp%d %.2f tok/s, tg%d %.2f tok/s%n",
                    r + 1,
                    o.prompt(),
                    pp[r],
                    o.gen(),
                    tg[r]);
            if (batch > 1) {
                bt[r] = (double) batch * o.gen() / batchDecode(tm, batch, o.gen(), vocab);
                log.printf(
                        Locale.ROOT,
                        "run %d: tg%d x%d %.2f tok/s aggregate, %.2fx tg%d%n",
                        r + 1,
                        o.gen(),
                        batch,
                        bt[r],
                        bt[r] / tg[r],
                        o.gen());
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("model", o.model().toAbsolutePath().toString());
        out.put("format", tm.format().name().toLowerCase(Locale.ROOT));
        out.put("threads", pool.threads());
        out.put("file_bytes", fileBytes);
        out.put("weight_bytes", tm.weightBytes());
        out.put("load_s", loadS);
        out.put("load_gb_per_s", fileBytes / 1e9 / loadS);
        out.put("full_speed_s", fullSpeedS);
        out.put("bandwidth_probe_gbps", bandwidth);
        out.put("fma_probe_gflops", fma);
        out.put("object_alignment_bytes", ArrayAlignment.ofRunningJvm());
        out.put("java", Probes.javaRuntime());
        ObjectNode ppFigure = out.putObject("pp" + o.prompt());
        figure(ppFigure, pp, o.prompt());
        double ppGflops = ppFigure.get("tok_per_s").asDouble() * prefillFlopsPerToken(tm.config(), o.prompt()) / 1e9;
        ppFigure.put("gflops", ppGflops);
        ppFigure.put("fraction_of_fma_probe", ppGflops / fma);
        figure(out.putObject("tg" + o.gen()), tg, o.gen());
        if (batch > 1) {
            ObjectNode b = out.putObject(batchTest(o.gen(), batch));
            figure(b, bt, o.gen() * batch);
            b.put("batch", batch);
            double ratio = 0;
            for (int r = 0; r < o.runs(); r++) {
                ratio += bt[r] / tg[r] / o.runs();
            }
            b.put("ratio_to_tg", ratio);
        }
        if (o.peer() != null) {
            out.set("paired", paired(tm, vocab));
        }
        return out;
    }

    /** Both tests timed against the peer in interleaved pairs, after our own runs. */
    private ObjectNode paired(TextModel tm, int vocab) {
        ObjectNode paired = new ObjectMapper().createObjectNode();
        paired.put("peer", String.join(" ", o.peer()));
        log.printf(Locale.ROOT, "starting the peer: %s%n", String.join(" ", o.peer()));
        try (PeerPairs peer = PeerPairs.start(o.peer())) {
            long[] seed = {1000};
            List<PeerPairs.Series> all = List.of(
                    peer.run("pp", o.prompt(), o.pairs(), () -> o.prompt() / prefill(tm, o.prompt(), vocab, seed[0]++)),
                    peer.run("tg", o.gen(), o.pairs(), () -> o.gen() / decode(tm, o.gen(), vocab)));
            for (PeerPairs.Series series : all) {
                log.println("paired " + series.summary());
                ObjectNode node = series.toJson();
                node.put("summary", series.summary());
                paired.set(series.test(), node);
            }
        }
        return paired;
    }

    private static void figure(ObjectNode n, double[] tokPerS, int tokens) {
        double mean = 0;
        for (double v : tokPerS) {
            mean += v / tokPerS.length;
        }
        double var = 0;
        for (double v : tokPerS) {
            var += (v - mean) * (v - mean) / Math.max(1, tokPerS.length - 1);
        }
        n.put("tokens", tokens);
        n.put("tok_per_s", mean);
        n.put("tok_per_s_sd", Math.sqrt(var));
        n.put("runs", tokPerS.length);
    }

    /** Seconds to prefill {@code n} random tokens (seeded) in one batch from an empty cache. */
    private static double prefill(TextModel tm, int n, int vocab, long seed) {
        Random rnd = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        KvCache cache = tm.newCache();
        long t0 = System.nanoTime();
        tm.forward(new Batch().add(cache, ids), false);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds to decode {@code n} tokens one at a time (greedy) from an empty cache. */
    private static double decode(TextModel tm, int n, int vocab) {
        KvCache cache = tm.newCache();
        int token = 1 % vocab;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] logits = tm.forward(new Batch().add(cache, new int[] {token}), false);
            token = Sampler.argmax(logits, 0, logits.length) % vocab;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Multiply-add FLOPs per prompt token of a {@code n}-token prefill: every matrix but the LM
     * head for each token, the LM head once (last position), and QK^T and PV over the causal context.
     */
    static double prefillFlopsPerToken(TextModelConfig c, int n) {
        double lmHead = 2.0 * c.vocabSize() * c.hiddenSize();
        double attention = 4.0 * c.numLayers() * c.numHeads() * c.headDim() * ((n + 1) / 2.0);
        return BenchRunner.matrixFlopsPerToken(c) - lmHead + lmHead / n + attention;
    }

    /** The JSON key and table label of the batched decode figure. */
    static String batchTest(int gen, int batch) {
        return "tg" + gen + "x" + batch;
    }

    /**
     * Seconds to decode {@code n} steps of {@code batch} sequences together (greedy, each after
     * its own 8-token random prompt, prefilled untimed in one step).
     */
    private static double batchDecode(TextModel tm, int batch, int n, int vocab) {
        Random rnd = new Random(batch);
        KvCache[] caches = new KvCache[batch];
        Batch prefill = new Batch();
        for (int s = 0; s < batch; s++) {
            caches[s] = tm.newCache();
            int[] ids = new int[8];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rnd.nextInt(vocab);
            }
            prefill.add(caches[s], ids);
        }
        float[] logits = tm.forward(prefill, false);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Batch step = new Batch();
            for (int s = 0; s < batch; s++) {
                int rowLength = logits.length / batch;
                step.add(caches[s], new int[] {Sampler.argmax(logits, s * rowLength, rowLength) % vocab});
            }
            logits = tm.forward(step, false);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Bytes of the file, or of the folder's safetensors files. */
    static long fileBytes(Path model) {
        try {
            if (ModelPath.of(model).isGguf()) {
                return Files.size(model);
            }
            try (Stream<Path> files = Files.list(model)) {
                return files.filter(p -> p.toString().endsWith(".safetensors"))
                        .mapToLong(p -> {
                            try {
                                return Files.size(p);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                        .sum();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The llama-bench-like table of {@link #run}'s result. */
    public static String table(ObjectNode r, int prompt, int gen) {
        return table(r, prompt, gen, 0);
    }

    /** The table with the batched decode row when {@code batch > 1}. */
    public static String table(ObjectNode r, int prompt, int gen, int batch) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "| %-40s | %-8s | %7s | %9s | %-7s | %16s |%n",
                "model",
                "format",
                "threads",
                "load s",
                "test",
                "t/s"));
        String[] tests = batch > 1
                ? new String[] {"pp" + prompt, "tg" + gen, batchTest(gen, batch)}
                : new String[] {"pp" + prompt, "tg" + gen};
        for (String test : tests) {
            ObjectNode f = (ObjectNode) r.get(test);
            String name = Path.of(r.get("model").asText()).getFileName().toString();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %-40s | %-8s | %7d | %9.2f | %-7s | %8.2f ± %5.2f |%n",
                    name,
                    r.get("format").asText(),
                    r.get("threads").asInt(),
                    r.get("load_s").asDouble(),
                    test,
                    f.get("tok_per_s").asDouble(),
                    f.get("tok_per_s_sd").asDouble()));
        }
        ObjectNode ppFigure = (ObjectNode) r.get("pp" + prompt);
        if (ppFigure.has("gflops")) {
            sb.append(String.format(
                    Locale.ROOT,
                    "pp%d: %.1f GFLOP/s = %.0f%% of the FMA probe (%.1f GFLOP/s); bandwidth probe %.1f GB/s%n",
                    prompt,
                    ppFigure.get("gflops").asDouble(),
                    100 * ppFigure.get("fraction_of_fma_probe").asDouble(),
                    r.path("fma_probe_gflops").asDouble(),
                    r.path("bandwidth_probe_gbps").asDouble()));
        }
        if (batch > 1) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%s aggregate / tg%d: %.2fx%n",
                    batchTest(gen, batch),
                    gen,
                    r.path(batchTest(gen, batch)).path("ratio_to_tg").asDouble()));
        }
        if (r.has("paired")) {
            sb.append("paired with ")
                    .append(r.path("paired").path("peer").asText())
                    .append('\n');
            for (String test : new String[] {"pp" + prompt, "tg" + gen}) {
                sb.append("  ")
                        .append(r.path("paired").path(test).path("summary").asText())
                        .append('\n');
            }
        }
        return sb.toString();
    }
}
