package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.engine.media.ImageMediaEncoder;
import io.llamastream.engine.media.MediaEncoders;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.vision.VisionEncoder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Llama 4 model folder loaded for inference: configuration, text decoder weights, tokenizer
 * and chat format, and for multimodal checkpoints the vision tower behind {@link #media()}.
 * This is the one entry point callers use.
 */
public final class Llama4Model {
    private final Path dir;
    private final String name;
    private final TextModelConfig config;
    private final TextModel textModel;
    private final Tokenizer tokenizer;
    private final ChatFormat chatFormat;
    private final VisionEncoder vision;
    private final MediaEncoders media;
    private final ImageMediaEncoder images;

    private Llama4Model(Path dir, TextModelConfig config, TextModel textModel, Tokenizer tokenizer, VisionEncoder vision) {
        this.dir = dir;
        this.name = dir.toAbsolutePath().normalize().getFileName().toString();
        this.config = config;
        this.textModel = textModel;
        this.tokenizer = tokenizer;
        this.chatFormat = new ChatFormat(tokenizer);
        this.vision = vision;
        this.images = vision == null ? null : new ImageMediaEncoder(vision, tokenizer::tokenId);
        this.media = images == null ? new MediaEncoders(name) : new MediaEncoders(name, images);
    }

    /** Loads {@code dir} with the shared compute pool; failures name the file and the problem. */
    public static Llama4Model load(Path dir) {
        return load(dir, ComputePool.shared());
    }

    public static Llama4Model load(Path dir, ComputePool pool) {
        return load(dir, pool, WeightFormat.F32);
    }

    /**
     * Loads {@code dir} with the text decoder's large matrices in {@code format} (bf16 as stored,
     * or quantized at load to 8 or 4 bits); the vision tower's matrices in {@link #visionFormat}.
     */
    public static Llama4Model load(Path dir, ComputePool pool, WeightFormat format) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, "model folder not found");
        }
        TextModelConfig config = TextModelConfig.read(dir.resolve("config.json"));
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        int imageToken = tokenizer.hasToken("<|patch|>") ? tokenizer.tokenId("<|patch|>") : -1;
        TextModel text;
        VisionEncoder vision = null;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            text = TextModel.load(checkpoint, config, imageToken, pool, format);
            if (config.multimodal()) {
                vision = VisionEncoder.load(checkpoint, VisionConfig.read(dir.resolve("config.json")), pool,
                        visionFormat(format));
            }
        }
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new ModelFormatException(dir.resolve("tokenizer.json"), "has " + tokenizer.vocabSize()
                    + " tokens but the model's vocabulary is " + config.vocabSize());
        }
        return new Llama4Model(dir, config, text, tokenizer, vision);
    }

    /**
     * The vision tower's matrix format for a text format: float32 with float32, otherwise bf16 (the
     * checkpoint's own bits, so exact weights at half the bytes; quantizing the tower is not worth
     * its accuracy risk next to the text model's size).
     */
    static WeightFormat visionFormat(WeightFormat textFormat) {
        return textFormat == WeightFormat.F32 ? WeightFormat.F32 : WeightFormat.BF16;
    }

    public Path dir() {
        return dir;
    }

    /** The folder's name, reported as the model in results. */
    public String name() {
        return name;
    }

    public TextModelConfig config() {
        return config;
    }

    public TextModel textModel() {
        return textModel;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatFormat chatFormat() {
        return chatFormat;
    }

    /** The vision tower of a multimodal checkpoint, or null for a text-only model. */
    public VisionEncoder visionEncoder() {
        return vision;
    }

    /** The image path (decode, tile, encode, project), or throws UnsupportedModalityException. */
    public ImageMediaEncoder imageEncoder() {
        media.forModality(io.llamastream.engine.media.Modality.IMAGE);
        return images;
    }

    /** Encoders per modality; asking for one the model lacks throws UnsupportedModalityException. */
    public MediaEncoders media() {
        return media;
    }
}
