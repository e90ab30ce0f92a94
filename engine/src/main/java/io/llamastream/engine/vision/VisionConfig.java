package io.llamastream.engine.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The vision tower's shape, read from a multimodal {@code config.json} ({@code vision_config},
 * {@code text_config.hidden_size} and the top-level image token ids). Accepts both config
 * dialects: transformers 5 {@code rope_parameters.rope_theta} and transformers 4 {@code rope_theta}.
 */
public record VisionConfig(
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int imageSize,
        int patchSize,
        int numChannels,
        float normEps,
        double pixelShuffleRatio,
        int projectorInputDim,
        int projectorOutputDim,
        int visionOutputDim,
        double ropeTheta,
        int textHiddenSize,
        int imageTokenIndex,
        int boiTokenIndex,
        int eoiTokenIndex) {

    public VisionConfig {
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "vision hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException(
                    "image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        }
        int g = imageSize / patchSize;
        double side = g * pixelShuffleRatio;
        if (side != Math.rint(side)
                || hiddenSize / (pixelShuffleRatio * pixelShuffleRatio)
                        != Math.rint(hiddenSize / (pixelShuffleRatio * pixelShuffleRatio))) {
            throw new IllegalArgumentException(
                    "pixel_shuffle_ratio " + pixelShuffleRatio + " does not divide the " + g + "x" + g + " patch grid");
        }
    }

    public static VisionConfig read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read as JSON: " + e.getMessage(), e);
        }
        JsonNode v = root.path("vision_config");
        if (!v.isObject()) {
            throw new ModelFormatException(configJson, "has no 'vision_config': not a multimodal (image) model");
        }
        JsonNode text = root.path("text_config");
        double theta = v.path("rope_parameters")
                .path("rope_theta")
                .asDouble(v.path("rope_theta").asDouble(10000.0));
        try {
            return new VisionConfig(
                    req(configJson, v, "hidden_size"),
                    req(configJson, v, "num_hidden_layers"),
                    req(configJson, v, "num_attention_heads"),
                    req(configJson, v, "intermediate_size"),
                    req(configJson, v, "image_size"),
                    req(configJson, v, "patch_size"),
                    v.path("num_channels").asInt(3),
                    (float) v.path("norm_eps").asDouble(1e-5),
                    v.path("pixel_shuffle_ratio").asDouble(0.5),
                    req(configJson, v, "projector_input_dim"),
                    req(configJson, v, "projector_output_dim"),
                    req(configJson, v, "vision_output_dim"),
                    theta,
                    req(configJson, text, "hidden_size"),
                    req(configJson, root, "image_token_index"),
                    root.path("boi_token_index").asInt(-1),
                    root.path("eoi_token_index").asInt(-1));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson, e.getMessage(), e);
        }
    }

    private static int req(Path file, JsonNode n, String field) {
        if (!n.path(field).isNumber()) {
            throw new ModelFormatException(file, "missing numeric '" + field + "'");
        }
        return n.get(field).asInt();
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Patches per side, {@code image_size / patch_size}. */
    public int grid() {
        return imageSize / patchSize;
    }

    /** {@code <|patch|>} tokens one tile becomes after pixel shuffle. */
    public int tokensPerTile() {
        int side = (int) Math.round(grid() * pixelShuffleRatio);
        return side * side;
    }

    /** Width of a row after pixel shuffle: {@code hidden / ratio^2}. */
    public int shuffledDim() {
        return (int) Math.round(hiddenSize / (pixelShuffleRatio * pixelShuffleRatio));
    }
}
