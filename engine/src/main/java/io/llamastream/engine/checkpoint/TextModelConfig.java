package io.llamastream.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text decoder's hyper-parameters, read from a Hugging Face {@code config.json} in either
 * dialect (transformers 5 {@code rope_parameters}, transformers 4 {@code rope_theta} +
 * {@code rope_scaling}) and from text-only or multimodal checkpoints ({@code text_config}). The
 * family ({@link Architecture}) decides which fields mean anything: for Llama 4 the derived
 * per-layer lists (RoPE vs NoPE, MoE vs dense) follow the spec's defaults when absent; Llama 3 has
 * RoPE and a dense SwiGLU on every layer, no chunked attention and no QK norm, whatever else the
 * file says.
 */
public record TextModelConfig(
        Architecture architecture,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int intermediateSize,
        int intermediateSizeMlp,
        int numExperts,
        int expertsPerToken,
        float rmsNormEps,
        RopeScaling rope,
        boolean useQkNorm,
        int attentionChunkSize,
        boolean[] ropeLayers,
        boolean[] moeLayers,
        boolean attnTemperatureTuning,
        double floorScale,
        double attnScale,
        int[] eosTokenIds,
        boolean multimodal,
        boolean tieWordEmbeddings) {

    /** Reads {@code file} (a config.json) and names it in every error. */
    public static TextModelConfig read(Path file) {
        JsonNode root;
        try {
            // A mapper per read, not a static one: a GGUF model's config never touches JSON, and
            // making Jackson's first mapper costs a cold JVM about 0.2 s of its load.
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "not a JSON object");
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }

    static TextModelConfig parse(JsonNode root) {
        Architecture arch = Architecture.ofConfig(root);
        boolean multimodal = root.has("text_config");
        JsonNode t = multimodal ? root.get("text_config") : root;
        int hidden = required(t, "hidden_size");
        int layers = required(t, "num_hidden_layers");
        int heads = required(t, "num_attention_heads");
        int kvHeads = t.path("num_key_value_heads").asInt(heads);
        int headDim = t.path("head_dim").asInt(hidden / heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(
                    "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        int vocab = required(t, "vocab_size");
        int inter = required(t, "intermediate_size");
        float eps = (float) t.path("rms_norm_eps").asDouble(1e-5);
        int[] eos = readEos(t.has("eos_token_id") ? t.get("eos_token_id") : root.get("eos_token_id"));
        boolean tied = t.path("tie_word_embeddings")
                .asBoolean(root.path("tie_word_embeddings").asBoolean(false));
        if (!arch.hasLlama4Layers()) {
            // Llama 3: RoPE and a dense SwiGLU of intermediate_size on every layer.
            for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
                if (t.path(bias).asBoolean(false)) {
                    throw new IllegalArgumentException(
                            "'" + bias + "' true is not supported (" + arch.displayName() + " has no biases)");
                }
            }
            boolean[] rope = new boolean[layers];
            Arrays.fill(rope, true);
            return new TextModelConfig(
                    arch,
                    hidden,
                    layers,
                    heads,
                    kvHeads,
                    headDim,
                    vocab,
                    inter,
                    inter,
                    0,
                    1,
                    eps,
                    readRope(t),
                    false,
                    Integer.MAX_VALUE,
                    rope,
                    new boolean[layers],
                    false,
                    8192,
                    0.1,
                    eos,
                    multimodal,
                    tied);
        }
        int interleave = t.path("interleave_moe_layer_step").asInt(1);
        boolean[] moe = new boolean[layers];
        JsonNode moeNode = t.get("moe_layers");
        if (moeNode != null && moeNode.isArray()) {
            for (JsonNode n : moeNode) {
                int l = n.asInt(-1);
                if (l < 0 || l >= layers) {
                    throw new IllegalArgumentException("moe_layers lists layer " + n + " outside 0.." + (layers - 1));
                }
                moe[l] = true;
            }
        } else if (interleave > 0) {
            for (int l = interleave - 1; l < layers; l += interleave) {
                moe[l] = true;
            }
        }
        boolean[] rope = new boolean[layers];
        JsonNode ropeNode = t.get("no_rope_layers");
        int nopeInterval = t.path("no_rope_layer_interval").asInt(4);
        if (ropeNode != null && ropeNode.isArray() && ropeNode.size() > 0) {
            if (ropeNode.size() != layers) {
                throw new IllegalArgumentException(
                        "no_rope_layers has " + ropeNode.size() + " entries for " + layers + " layers");
            }
            for (int l = 0; l < layers; l++) {
                rope[l] = ropeNode.get(l).asInt() != 0;
            }
        } else {
            for (int l = 0; l < layers; l++) {
                rope[l] = (l + 1) % nopeInterval != 0;
            }
        }
        JsonNode temp = t.path("attn_temperature_tuning");
        boolean tuning = temp.isBoolean() ? temp.asBoolean() : temp.isNumber() && temp.asDouble() != 0;
        JsonNode chunk = t.get("attention_chunk_size");
        return new TextModelConfig(
                arch,
                hidden,
                layers,
                heads,
                kvHeads,
                headDim,
                vocab,
                inter,
                t.path("intermediate_size_mlp").asInt(inter),
                t.path("num_local_experts").asInt(0),
                t.path("num_experts_per_tok").asInt(1),
                eps,
                readRope(t),
                t.path("use_qk_norm").asBoolean(false),
                chunk == null || chunk.isNull() ? Integer.MAX_VALUE : chunk.asInt(),
                rope,
                moe,
                tuning,
                t.path("floor_scale").asDouble(8192),
                t.path("attn_scale").asDouble(0.1),
                eos,
                multimodal,
                tied);
    }

    private static RopeScaling readRope(JsonNode t) {
        JsonNode p = t.get("rope_parameters");
        JsonNode scaling = t.get("rope_scaling");
        double theta;
        JsonNode s;
        if (p != null && p.isObject()) {
            theta = p.path("rope_theta").asDouble(t.path("rope_theta").asDouble(500000));
            s = p;
        } else {
            theta = t.path("rope_theta").asDouble(500000);
            s = scaling;
        }
        if (s == null || s.isNull() || !s.isObject()) {
            return RopeScaling.unscaled(theta);
        }
        String type = s.path("rope_type").asText(s.path("type").asText("default"));
        if ("default".equals(type)) {
            return RopeScaling.unscaled(theta);
        }
        if (!"llama3".equals(type)) {
            throw new IllegalArgumentException(
                    "rope_type '" + type + "' is not supported (expected default or llama3)");
        }
        return new RopeScaling(
                type,
                theta,
                s.path("factor").asDouble(8),
                s.path("low_freq_factor").asDouble(1),
                s.path("high_freq_factor").asDouble(4),
                s.path("original_max_position_embeddings").asDouble(8192));
    }

    private static int[] readEos(JsonNode n) {
        if (n == null || n.isNull()) {
            return new int[0];
        }
        if (n.isArray()) {
            List<Integer> ids = new ArrayList<>();
            n.forEach(x -> ids.add(x.asInt()));
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
        return new int[] {n.asInt()};
    }

    private static int required(JsonNode t, String key) {
        JsonNode n = t.get(key);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new IllegalArgumentException("'" + key + "' is missing or not a positive integer");
        }
        return n.asInt();
    }

    public int kvGroupSize() {
        return numHeads / numKvHeads;
    }

    public boolean isEos(int token) {
        for (int e : eosTokenIds) {
            if (e == token) {
                return true;
            }
        }
        return false;
    }
}
