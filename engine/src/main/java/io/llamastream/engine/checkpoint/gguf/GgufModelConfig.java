package io.llamastream.engine.checkpoint.gguf;

import io.llamastream.engine.checkpoint.Architecture;
import io.llamastream.engine.checkpoint.RopeScaling;
import io.llamastream.engine.checkpoint.TextModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text decoder's hyper-parameters from a GGUF file's metadata, by
 * {@code general.architecture} (chosen by {@link Architecture#ofGguf}): the keys live under the
 * architecture's prefix ({@code llama4.}, {@code llama.}). What llama.cpp hard-codes for an
 * architecture instead of storing (for Llama 4: attention chunk 8192, NoPE on every 4th layer,
 * temperature tuning with floor 8192 and scale 0.1, QK norm unless there are 128 experts; for
 * Llama 3: RoPE and a dense SwiGLU on every layer) is applied the same way here, so the file means
 * what it means to llama.cpp. RoPE scaling comes from the {@code rope_freqs} tensor, which the
 * weight loader reads.
 */
public final class GgufModelConfig {
    private static final int LLAMA4_CHUNK = 8192;
    private static final int LLAMA4_NOPE_INTERVAL = 4;

    private GgufModelConfig() {}

    /** The config of {@code file}'s architecture; an architecture not supported is refused naming it. */
    public static TextModelConfig read(GgufFile file) {
        GgufMetadata md = file.metadata();
        Architecture arch;
        try {
            arch = Architecture.ofGguf(md.string("general.architecture"));
        } catch (IllegalArgumentException e) {
            throw md.fail(e.getMessage());
        }
        boolean tied = !file.contains("output.weight");
        return arch == Architecture.LLAMA3
                ? llama3(md, arch.ggufName() + ".", tied)
                : llama4(md, arch.ggufName() + ".", tied);
    }

    /** Llama 3 ({@code llama.*}): every layer has RoPE and a dense SwiGLU of {@code feed_forward_length}. */
    static TextModelConfig llama3(GgufMetadata md, String p, boolean tied) {
        Shape s = Shape.of(md, p);
        int ffn = positive(md, p + "feed_forward_length");
        boolean[] rope = new boolean[s.layers];
        Arrays.fill(rope, true);
        return new TextModelConfig(
                Architecture.LLAMA3,
                s.hidden,
                s.layers,
                s.heads,
                s.kvHeads,
                s.headDim,
                s.vocab,
                ffn,
                ffn,
                0,
                1,
                s.eps,
                s.rope,
                false,
                Integer.MAX_VALUE,
                rope,
                new boolean[s.layers],
                false,
                8192,
                0.1,
                eosIds(md),
                false,
                tied);
    }

    /** The attention shape, vocabulary, norm epsilon and RoPE base every family stores alike. */
    private record Shape(
            int hidden, int layers, int heads, int kvHeads, int headDim, int vocab, float eps, RopeScaling rope) {
        static Shape of(GgufMetadata md, String p) {
            int hidden = positive(md, p + "embedding_length");
            int layers = positive(md, p + "block_count");
            int heads = positive(md, p + "attention.head_count");
            int kvHeads = md.uint(p + "attention.head_count_kv", heads);
            if (kvHeads < 1 || heads % kvHeads != 0) {
                throw md.fail(p + "attention.head_count " + heads + " is not a multiple of head_count_kv " + kvHeads);
            }
            int headDim = md.uint(p + "attention.key_length", hidden / heads);
            int vocab = md.has(p + "vocab_size")
                    ? positive(md, p + "vocab_size")
                    : md.strings("tokenizer.ggml.tokens").length;
            return new Shape(
                    hidden,
                    layers,
                    heads,
                    kvHeads,
                    headDim,
                    vocab,
                    (float) md.real(p + "attention.layer_norm_rms_epsilon", 1e-5),
                    RopeScaling.unscaled(md.real(p + "rope.freq_base", 500000)));
        }
    }

    static TextModelConfig llama4(GgufMetadata md, String p, boolean tied) {
        Shape s = Shape.of(md, p);
        int layers = s.layers;
        int experts = md.uint(p + "expert_count", 0);
        int step = md.uint(p + "interleave_moe_layer_step", 1);
        boolean[] moe = new boolean[layers];
        for (int l = 0; l < layers; l++) {
            moe[l] = experts > 0 && step > 0 && (l + 1) % step == 0;
        }
        // llama.cpp: a sliding_window of 0 turns chunking off and RoPE on for every layer.
        boolean chunked = !(md.has(p + "attention.sliding_window") && md.uint(p + "attention.sliding_window") == 0);
        boolean[] rope = new boolean[layers];
        for (int l = 0; l < layers; l++) {
            rope[l] = !chunked || (l + 1) % LLAMA4_NOPE_INTERVAL != 0;
        }
        int ffnExpert = md.uint(p + "expert_feed_forward_length", md.uint(p + "feed_forward_length", 0));
        int ffnDense = md.uint(p + "feed_forward_length", ffnExpert);
        if (ffnExpert < 1 && ffnDense < 1) {
            throw md.fail("metadata '" + p + "feed_forward_length' is missing");
        }
        return new TextModelConfig(
                Architecture.LLAMA4,
                s.hidden,
                layers,
                s.heads,
                s.kvHeads,
                s.headDim,
                s.vocab,
                ffnExpert,
                ffnDense,
                experts,
                md.uint(p + "expert_used_count", 1),
                s.eps,
                s.rope,
                experts != 128,
                chunked ? LLAMA4_CHUNK : Integer.MAX_VALUE,
                rope,
                moe,
                true,
                8192,
                0.1,
                eosIds(md),
                false,
                tied);
    }

    /** End-of-sequence ids: eos, end of turn and end of message, as far as the file names them. */
    static int[] eosIds(GgufMetadata md) {
        List<Integer> ids = new ArrayList<>();
        for (String key : new String[] {
            "tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"
        }) {
            if (md.has(key) && !ids.contains(md.uint(key))) {
                ids.add(md.uint(key));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int positive(GgufMetadata md, String key) {
        int v = md.uint(key);
        if (v < 1) {
            throw md.fail("metadata '" + key + "' is 0");
        }
        return v;
    }
}
