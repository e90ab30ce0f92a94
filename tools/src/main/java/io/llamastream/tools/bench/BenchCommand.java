package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.WeightFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: generates (once, cached) a Llama 4-structured bf16 checkpoint and measures
 * decode, batching, prefill, prefix caching and memory against bandwidth and FMA probes. When
 * the JVM's heap cannot hold the bf16 model it relaunches itself with a large enough -Xmx.
 */
@Command(name = "bench", description = "Benchmark the engine on a generated Llama 4-structured model (table + --json).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smaller model and fewer repetitions (under two minutes).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Option(
            names = "--repeat",
            defaultValue = "1",
            paramLabel = "N",
            description = "Run the whole benchmark N times and report each figure's min, median, max and max/min.")
    int repeat;

    @Option(
            names = "--cache-dir",
            paramLabel = "DIR",
            description = "Where generated models are cached (default ~/.cache/llamastream).")
    Path cacheDir;

    @Option(
            names = "--model",
            paramLabel = "PATH",
            description = "Measure this model (folder or .gguf) like llama-bench instead of the generated one.")
    Path model;

    @Option(
            names = "--weight-format",
            defaultValue = "native",
            paramLabel = "F",
            description = "With --model: native (as stored), f32, bf16, q8 or q4 (default ${DEFAULT-VALUE}).")
    String weightFormat;

    @Option(
            names = "--prompt",
            defaultValue = "512",
            description = "With --model: prompt tokens of the pp test (default ${DEFAULT-VALUE}).")
    int prompt;

    @Option(
            names = "--gen",
            defaultValue = "128",
            description = "With --model: tokens of the tg test (default ${DEFAULT-VALUE}).")
    int gen;

    @Option(names = "--runs", defaultValue = "3", description = "With --model: timed runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "With --model or --geometry: compute threads; 0 = all cores.")
    int threads;

    @Option(
            names = "--geometry",
            paramLabel = "scout|maverick",
            description =
                    "Measure N layers at the real model's shapes (random weights in memory) and extrapolate the full model.")
    String geometry;

    @Option(
            names = "--layers",
            defaultValue = "2",
            description = "With --geometry: layers built and measured (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
            names = "--batch",
            description = "With --geometry: sequences in the batched decode (default 8). With --model: also decode"
                    + " this many sequences at once and report the aggregate rate and its ratio to tg (one run).")
    Integer batch;

    @Option(
            names = "--peer",
            paramLabel = "DIR",
            description =
                    "With --model: also time llama.cpp on the same file, in interleaved pairs (ours and"
                            + " llama.cpp back to back, the order flipped every pair), and report the ratio within each pair."
                            + " DIR holds node_modules/node-llama-cpp (a folder where `npm install node-llama-cpp@3.22.1` ran).")
    Path peer;

    @Option(
            names = "--pairs",
            defaultValue = "20",
            description = "With --peer: pairs per test (default ${DEFAULT-VALUE}).")
    int pairs;

    @Override
    public Integer call() throws Exception {
        if (model != null) {
            return benchModel();
        }
        if (geometry != null) {
            return benchGeometry();
        }
        Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "llamastream");
        BenchRunner.Options options = quick ? BenchRunner.Options.quick(cache) : BenchRunner.Options.full(cache);
        long need = options.model().totalParameters() * 2 + (2560L << 20);
        if (Runtime.getRuntime().maxMemory() < need && System.getProperty("llamastream.bench.child") == null) {
            return relaunch(need);
        }
        ObjectNode result = new BenchRunner(options, ComputePool.shared(), System.err).run();
        System.out.println();
        System.out.print(BenchRunner.table(result));
        if (repeat > 1) {
            List<ObjectNode> runs = new ArrayList<>(List.of(result));
            for (int r = 1; r < repeat; r++) {
                System.gc();
                ObjectNode again = new BenchRunner(options, ComputePool.shared(), System.err).run();
                System.out.println();
                System.out.print(BenchRunner.table(again));
                runs.add(again);
            }
            ObjectNode spread = BenchSpread.of(runs);
            System.out.println();
            System.out.print(BenchSpread.table(spread));
            result = new ObjectMapper().createObjectNode();
            result.putArray("runs").addAll(runs);
            result.set("spread", spread);
        }
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
        System.out.println(text);
        if (json != null) {
            Files.writeString(json, text + "\n");
        }
        return 0;
    }

    private int benchGeometry() throws IOException {
        ComputePool pool = threads <= 0 ? ComputePool.shared() : new ComputePool(threads);
        WeightFormat format = WeightFormat.valueOf(weightFormat.toUpperCase(Locale.ROOT));
        ObjectNode result = new GeometryBench(
                        new GeometryBench.Options(
                                geometry, layers, format, prompt, batch == null ? 8 : batch, gen, runs),
                        pool,
                        System.err)
                .run();
        System.out.print(GeometryBench.table(result));
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
        System.out.println(text);
        if (json != null) {
            Files.writeString(json, text + "\n");
        }
        return 0;
    }

    private int benchModel() throws IOException {
        ComputePool pool = threads <= 0 ? ComputePool.shared() : new ComputePool(threads);
        WeightFormat format = WeightFormat.valueOf(weightFormat.toUpperCase(Locale.ROOT));
        ObjectNode result = new ModelBench(
                        new ModelBench.Options(
                                model,
                                format,
                                prompt,
                                gen,
                                runs,
                                batch == null ? 0 : batch,
                                peer == null
                                        ? null
                                        : PeerPairs.llamaCppCommand(peer, model, pool.threads(), prompt, gen),
                                pairs),
                        pool,
                        System.err)
                .run();
        System.out.print(ModelBench.table(result, prompt, gen, batch == null ? 0 : batch));
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
        System.out.println(text);
        if (json != null) {
            Files.writeString(json, text + "\n");
        }
        return 0;
    }

    private int relaunch(long heapBytes) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Xmx") && !a.startsWith("-XX:MaxHeapSize")) {
                cmd.add(a);
            }
        }
        if (!cmd.contains("--add-modules")) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.add("-Xmx" + (heapBytes >> 20) + "m");
        // A small young generation: the weights are a few huge long-lived arrays that must fit the
        // old one, and every resident page of eden counts against the peak RSS (512m measured 1.11x).
        cmd.add("-Xmn128m");
        cmd.add("-Dllamastream.bench.child=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.llamastream.tools.Main");
        cmd.add("bench");
        if (quick) {
            cmd.add("--quick");
        }
        if (json != null) {
            cmd.add("--json");
            cmd.add(json.toAbsolutePath().toString());
        }
        cmd.add("--repeat");
        cmd.add(Integer.toString(repeat));
        if (cacheDir != null) {
            cmd.add("--cache-dir");
            cmd.add(cacheDir.toAbsolutePath().toString());
        }
        System.err.printf("[llamastream] bench: relaunching with -Xmx%dm to hold the bf16 model%n", heapBytes >> 20);
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
