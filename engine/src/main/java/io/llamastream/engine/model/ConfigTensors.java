package io.llamastream.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.DType;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.weights.MemoryPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a Hugging Face safetensors checkpoint of a {@code config.json} holds, by name with the
 * dtype and shape its header gives them: the text decoder as {@code HfDecoderWeights} reads it (under
 * {@code language_model.} when the config is multimodal, no {@code lm_head} when the embeddings are
 * tied) and a multimodal config's vision tower and projector as {@code VisionEncoder} reads them. It
 * lets {@link Llama4Model#memoryPlan} plan a model from its config alone with the very rules
 * {@link MemoryPlan} applies to a checkpoint's headers.
 */
final class ConfigTensors {

    private ConfigTensors() {}

    /** Every tensor of a checkpoint of {@code configJson}, stored in the config's dtype. */
    static Map<String, MemoryPlan.Tensor> of(Path configJson) {
        TextModelConfig c = TextModelConfig.read(configJson);
        DType dtype = dtype(configJson);
        Map<String, MemoryPlan.Tensor> tensors = new LinkedHashMap<>();
        String root = c.multimodal() ? "language_model." : "";
        String m = root + "model.";
        long h = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        String ffn = c.architecture().feedForwardPrefix();
        Adder add = (name, shape) -> tensors.put(name, new MemoryPlan.Tensor(dtype, shape));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = m + "layers." + l + ".";
            add.put(p + "input_layernorm.weight", h);
            add.put(p + "post_attention_layernorm.weight", h);
            add.put(p + "self_attn.q_proj.weight", q, h);
            add.put(p + "self_attn.k_proj.weight", kv, h);
            add.put(p + "self_attn.v_proj.weight", kv, h);
            add.put(p + "self_attn.o_proj.weight", h, q);
            String f = p + ffn;
            if (c.moeLayers()[l]) {
                long e = c.numExperts();
                long i = c.intermediateSize();
                add.put(f + "router.weight", e, h);
                add.put(f + "experts.gate_up_proj", e, h, 2 * i);
                add.put(f + "experts.down_proj", e, i, h);
                add.put(f + "shared_expert.gate_proj.weight", i, h);
                add.put(f + "shared_expert.up_proj.weight", i, h);
                add.put(f + "shared_expert.down_proj.weight", h, i);
            } else {
                long i = c.intermediateSizeMlp();
                add.put(f + "gate_proj.weight", i, h);
                add.put(f + "up_proj.weight", i, h);
                add.put(f + "down_proj.weight", h, i);
            }
        }
        add.put(m + "embed_tokens.weight", c.vocabSize(), h);
        add.put(m + "norm.weight", h);
        if (!c.tieWordEmbeddings()) {
            add.put(root + "lm_head.weight", c.vocabSize(), h);
        }
        if (c.multimodal()) {
            vision(VisionConfig.read(configJson), add);
        }
        return tensors;
    }

    /** {@code vision_model.*} and {@code multi_modal_projector.linear_1.weight}. */
    private static void vision(VisionConfig v, Adder add) {
        String p = "vision_model.";
        long h = v.hiddenSize();
        long i = v.intermediateSize();
        for (int l = 0; l < v.numLayers(); l++) {
            String n = p + "model.layers." + l + ".";
            for (String norm : new String[] {"input_layernorm.", "post_attention_layernorm."}) {
                add.put(n + norm + "weight", h);
                add.put(n + norm + "bias", h);
            }
            for (String proj : new String[] {"q_proj.", "k_proj.", "v_proj.", "o_proj."}) {
                add.put(n + "self_attn." + proj + "weight", h, h);
                add.put(n + "self_attn." + proj + "bias", h);
            }
            add.put(n + "mlp.fc1.weight", i, h);
            add.put(n + "mlp.fc1.bias", i);
            add.put(n + "mlp.fc2.weight", h, i);
            add.put(n + "mlp.fc2.bias", h);
        }
        add.put(p + "patch_embedding.linear.weight", h, (long) v.numChannels() * v.patchSize() * v.patchSize());
        add.put(p + "class_embedding", h);
        add.put(p + "positional_embedding_vlm", (long) v.grid() * v.grid() + 1, h);
        for (String norm : new String[] {"layernorm_pre.", "layernorm_post."}) {
            add.put(p + norm + "weight", h);
            add.put(p + norm + "bias", h);
        }
        add.put(p + "vision_adapter.mlp.fc1.weight", v.projectorInputDim(), v.shuffledDim());
        add.put(p + "vision_adapter.mlp.fc2.weight", v.projectorOutputDim(), v.projectorInputDim());
        add.put("multi_modal_projector.linear_1.weight", v.textHiddenSize(), v.visionOutputDim());
    }

    /**
     * The dtype the checkpoint stores: the config's {@code dtype} (transformers 5) or
     * {@code torch_dtype}, at the root or in {@code text_config}; bf16 when it names none, as Meta
     * publishes Llama 3 and 4.
     */
    static DType dtype(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read as JSON: " + e.getMessage(), e);
        }
        for (JsonNode node : new JsonNode[] {root, root.path("text_config")}) {
            for (String field : new String[] {"dtype", "torch_dtype"}) {
                if (node.path(field).isTextual()) {
                    String name = node.get(field).asText();
                    return switch (name) {
                        case "bfloat16" -> DType.BF16;
                        case "float16" -> DType.F16;
                        case "float32" -> DType.F32;
                        default ->
                            throw new ModelFormatException(
                                    configJson, "'" + field + "' " + name + " is not a dtype the engine loads");
                    };
                }
            }
        }
        return DType.BF16;
    }

    @FunctionalInterface
    private interface Adder {
        void put(String name, long... shape);
    }
}
