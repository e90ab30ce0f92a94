package io.llamastream.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The model families the engine runs, and the one place that decides which family a checkpoint
 * belongs to: from a Hugging Face config's {@code model_type} (or, when that is absent, its
 * {@code architectures}), or from a GGUF file's {@code general.architecture}. Everything that
 * differs between the families in how weights are named and how the decoder computes is a
 * property of the constant, so loaders ask the architecture instead of testing names again.
 * Anything else is refused, naming what was found and listing what is supported.
 */
public enum Architecture {
    /** Llama 4 Scout, Maverick and Llama Guard 4: MoE or dense layers, NoPE, chunked attention, QK norm. */
    LLAMA4(
            "Llama 4 (Scout, Maverick, Llama Guard 4)",
            List.of("llama4", "llama4_text"),
            List.of("Llama4ForConditionalGeneration", "Llama4ForCausalLM"),
            "llama4",
            RopeLayout.ADJACENT_PAIRS,
            "feed_forward."),
    /** Llama 3.1, 3.2, 3.3 and Llama Guard 3: dense SwiGLU everywhere, RoPE on every layer. */
    LLAMA3(
            "Llama 3.x (3.1, 3.2, 3.3, Llama Guard 3)",
            List.of("llama"),
            List.of("LlamaForCausalLM"),
            "llama",
            RopeLayout.HALVES,
            "mlp.");

    /** Which dimensions of a head RoPE rotates together. */
    public enum RopeLayout {
        /** Dimensions (2i, 2i+1) form one complex number (Llama 4, and llama.cpp's layout). */
        ADJACENT_PAIRS,
        /** Dimensions (i, i + hd/2) form one complex number (Hugging Face "rotate_half"). */
        HALVES
    }

    private final String displayName;
    private final List<String> modelTypes;
    private final List<String> hfArchitectures;
    private final String ggufName;
    private final RopeLayout ropeLayout;
    private final String feedForwardPrefix;

    Architecture(
            String displayName,
            List<String> modelTypes,
            List<String> hfArchitectures,
            String ggufName,
            RopeLayout ropeLayout,
            String feedForwardPrefix) {
        this.displayName = displayName;
        this.modelTypes = modelTypes;
        this.hfArchitectures = hfArchitectures;
        this.ggufName = ggufName;
        this.ropeLayout = ropeLayout;
        this.feedForwardPrefix = feedForwardPrefix;
    }

    /**
     * The family of a Hugging Face {@code config.json} (its root object): {@code model_type} decides,
     * else the first entry of {@code architectures}.
     *
     * @throws IllegalArgumentException naming the model type or architecture and listing the supported ones
     */
    public static Architecture ofConfig(JsonNode root) {
        JsonNode type = root.get("model_type");
        if (type != null && type.isTextual()) {
            for (Architecture a : values()) {
                if (a.modelTypes.contains(type.asText())) {
                    return a;
                }
            }
            throw new IllegalArgumentException(
                    "model_type '" + type.asText() + "' is not supported; supported: " + supported(a -> a.modelTypes));
        }
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray() && archs.size() > 0) {
            String name = archs.get(0).asText();
            for (Architecture a : values()) {
                if (a.hfArchitectures.contains(name)) {
                    return a;
                }
            }
            throw new IllegalArgumentException(
                    "architecture '" + name + "' is not supported; supported: " + supported(a -> a.hfArchitectures));
        }
        throw new IllegalArgumentException("names neither 'model_type' nor 'architectures'; supported model types: "
                + supported(a -> a.modelTypes));
    }

    /**
     * The family of a GGUF file's {@code general.architecture}.
     *
     * @throws IllegalArgumentException naming it and listing the supported ones
     */
    public static Architecture ofGguf(String generalArchitecture) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(generalArchitecture)) {
                return a;
            }
        }
        throw new IllegalArgumentException(
                "general.architecture '" + generalArchitecture + "' is not supported; supported: "
                        + Arrays.stream(values())
                                .map(a -> a.ggufName + " = " + a.displayName)
                                .collect(Collectors.joining(", ")));
    }

    private static String supported(Function<Architecture, List<String>> names) {
        return Arrays.stream(values())
                .map(a -> String.join(", ", names.apply(a)) + " = " + a.displayName)
                .collect(Collectors.joining("; "));
    }

    /** A human name of the family, used in messages. */
    public String displayName() {
        return displayName;
    }

    /** The {@code general.architecture} value (and so the metadata key prefix) of the family's GGUF files. */
    public String ggufName() {
        return ggufName;
    }

    public RopeLayout ropeLayout() {
        return ropeLayout;
    }

    /** The name segment of a layer's feed-forward tensors: {@code feed_forward.} or {@code mlp.}. */
    public String feedForwardPrefix() {
        return feedForwardPrefix;
    }

    /** Whether the family has MoE layers, NoPE layers, chunked attention and QK norm at all. */
    public boolean hasLlama4Layers() {
        return this == LLAMA4;
    }
}
