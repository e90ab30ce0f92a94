package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.math.Bf16;
import io.llamastream.engine.math.ComputePool;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A synthetic checkpoint with Llama 4 (Scout-like) structure: every layer MoE with top-1 routed
 * experts plus a shared expert, chunked RoPE layers with every fourth a NoPE layer, QK norm.
 * Weights are seeded uniform noise scaled by 1/sqrt(fan-in), written as bf16 safetensors with a
 * config.json, streamed to disk (never whole in memory) and cached by its parameters.
 */
public record BenchModel(
        int hidden, int layers, int heads, int kvHeads, int headDim, int experts, int inter, int vocab, long seed) {

    /** ~4.4B total / ~1B active parameters: fits this class of machine in bf16, q8 and q4. */
    public static BenchModel full() {
        return new BenchModel(2048, 16, 16, 4, 128, 16, 2048, 202048, 42);
    }

    /** A ~0.3B-parameter model for {@code bench --quick}. */
    public static BenchModel quick() {
        return new BenchModel(1024, 8, 8, 2, 128, 8, 1024, 32768, 42);
    }

    public String dirName() {
        return "bench-model-h" + hidden + "-l" + layers + "-a" + heads + "x" + kvHeads + "x" + headDim + "-e" + experts
                + "-i" + inter + "-v" + vocab + "-s" + seed;
    }

    private record Tensor(String name, long[] shape, double scale) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private List<Tensor> tensors() {
        List<Tensor> t = new ArrayList<>();
        double inH = 1 / Math.sqrt(hidden);
        t.add(new Tensor("model.embed_tokens.weight", new long[] {vocab, hidden}, 1.0));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            t.add(new Tensor(p + "input_layernorm.weight", new long[] {hidden}, -1));
            t.add(new Tensor(p + "post_attention_layernorm.weight", new long[] {hidden}, -1));
            t.add(new Tensor(p + "self_attn.q_proj.weight", new long[] {(long) heads * headDim, hidden}, inH));
            t.add(new Tensor(p + "self_attn.k_proj.weight", new long[] {(long) kvHeads * headDim, hidden}, inH));
            t.add(new Tensor(p + "self_attn.v_proj.weight", new long[] {(long) kvHeads * headDim, hidden}, inH));
            t.add(new Tensor(
                    p + "self_attn.o_proj.weight",
                    new long[] {hidden, (long) heads * headDim},
                    1 / Math.sqrt((double) heads * headDim)));
            String f = p + "feed_forward.";
            t.add(new Tensor(f + "router.weight", new long[] {experts, hidden}, inH));
            t.add(new Tensor(f + "experts.gate_up_proj", new long[] {experts, hidden, 2L * inter}, inH));
            t.add(new Tensor(f + "experts.down_proj", new long[] {experts, inter, hidden}, 1 / Math.sqrt(inter)));
            t.add(new Tensor(f + "shared_expert.gate_proj.weight", new long[] {inter, hidden}, inH));
            t.add(new Tensor(f + "shared_expert.up_proj.weight", new long[] {inter, hidden}, inH));
            t.add(new Tensor(f + "shared_expert.down_proj.weight", new long[] {hidden, inter}, 1 / Math.sqrt(inter)));
        }
        t.add(new Tensor("model.norm.weight", new long[] {hidden}, -1));
        t.add(new Tensor("lm_head.weight", new long[] {vocab, hidden}, inH));
        return t;
    }

    public long totalParameters() {
        return tensors().stream().mapToLong(Tensor::elements).sum();
    }

    /** The model folder under {@code cacheRoot}, generated first if absent. */
    public Path ensure(Path cacheRoot, ComputePool pool, PrintStream log) {
        Path dir = cacheRoot.resolve(dirName());
        if (Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, dirName() + ".tmp");
            long t0 = System.nanoTime();
            log.printf("generating %s (%.2fB parameters, bf16) ...%n", dir, totalParameters() / 1e9);
            writeSafetensors(tmp.resolve("model.safetensors"), pool);
            Files.writeString(tmp.resolve("config.json"), configJson());
            log.printf("generated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bench model under " + cacheRoot, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    String configJson() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("Llama4ForCausalLM");
        c.put("model_type", "llama4_text");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("vocab_size", vocab);
        c.put("intermediate_size", inter);
        c.put("intermediate_size_mlp", 2 * inter);
        c.put("num_local_experts", experts);
        c.put("num_experts_per_tok", 1);
        c.put("interleave_moe_layer_step", 1);
        c.put("rms_norm_eps", 1e-5);
        c.put("use_qk_norm", true);
        c.put("attention_chunk_size", 8192);
        c.put("no_rope_layer_interval", 4);
        ArrayNode noRope = c.putArray("no_rope_layers");
        for (int l = 0; l < layers; l++) {
            noRope.add((l + 1) % 4 == 0 ? 0 : 1);
        }
        c.put("attn_temperature_tuning", true);
        c.put("floor_scale", 8192);
        c.put("attn_scale", 0.1);
        c.put("rope_theta", 500000.0);
        c.put("dtype", "bfloat16");
        c.putArray("eos_token_id");
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(c);
    }

    private void writeSafetensors(Path file, ComputePool pool) throws IOException {
        List<Tensor> tensors = tensors();
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (Tensor t : tensors) {
            long len = t.elements() * 2;
            header.put(
                    t.name(),
                    Map.of("dtype", "BF16", "shape", t.shape(), "data_offsets", new long[] {offset, offset + len}));
            offset += len;
        }
        byte[] h = new ObjectMapper().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(h);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        final int chunk = 1 << 22;
        final int parts = 8;
        short[] bits = new short[chunk];
        ByteBuffer out = ByteBuffer.allocateDirect(chunk * 2).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) {
                ch.write(head);
            }
            for (int ti = 0; ti < tensors.size(); ti++) {
                Tensor t = tensors.get(ti);
                long n = t.elements();
                for (long start = 0, c = 0; start < n; start += chunk, c++) {
                    int len = (int) Math.min(chunk, n - start);
                    long chunkSeed = mix(mix(seed, ti), c);
                    double scale = t.scale();
                    pool.forEach(parts, len / parts + 1L, part -> {
                        int from = (int) ((long) len * part / parts);
                        int to = (int) ((long) len * (part + 1) / parts);
                        fill(bits, from, to, mix(chunkSeed, part), scale);
                    });
                    out.clear();
                    out.asShortBuffer().put(bits, 0, len);
                    out.limit(len * 2);
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                }
            }
        }
    }

    /** Uniform values with standard deviation {@code scale} (1.0 everywhere when scale < 0: norm weights). */
    private static void fill(short[] bits, int from, int to, long seed, double scale) {
        if (scale < 0) {
            Arrays.fill(bits, from, to, (short) 0x3F80);
            return;
        }
        float a = (float) (scale * Math.sqrt(3)) * 0x1p-31f;
        long s = seed | 1;
        for (int i = from; i < to; i++) {
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            float v = (int) (s >>> 32) * a;
            bits[i] = Bf16.fromFloat(v);
        }
    }

    private static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
