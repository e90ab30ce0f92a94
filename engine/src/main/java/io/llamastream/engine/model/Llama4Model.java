package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.ModelPath;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.checkpoint.gguf.GgufModelConfig;
import io.llamastream.engine.checkpoint.gguf.GgufTokenizer;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.media.ImageMediaEncoder;
import io.llamastream.engine.media.MediaEncoders;
import io.llamastream.engine.media.Modality;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.PromptFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.vision.VisionEncoder;
import io.llamastream.engine.weights.ArrayAlignment;
import io.llamastream.engine.weights.HeapRounding;
import io.llamastream.engine.weights.MemoryPlan;
import io.llamastream.engine.weights.StagedMatrix;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

/**
 * A model folder of any supported family ({@link io.llamastream.engine.checkpoint.Architecture})
 * loaded for inference: configuration, text decoder weights, tokenizer, prompt format (the
 * checkpoint's own chat template, else the built-in Llama 4 layout), and for multimodal
 * checkpoints the vision tower behind {@link #media()}. This is the one entry point callers use.
 */
public final class Llama4Model {
    private static final System.Logger LOG = System.getLogger(Llama4Model.class.getName());

    /** Whether this JVM's object alignment has been checked (once, at the first load). */
    private static final AtomicBoolean ALIGNMENT_CHECKED = new AtomicBoolean();

    private final Path dir;
    private final String name;
    private final TextModelConfig config;
    private final TextModel textModel;
    private final Tokenizer tokenizer;
    private final ChatFormat chatFormat;
    private final ChatTemplate chatTemplate;
    private final VisionEncoder vision;
    private final MediaEncoders media;
    private final ImageMediaEncoder images;
    private final CompletableFuture<Void> repacked;

    private Llama4Model(
            Path dir,
            TextModelConfig config,
            TextModel textModel,
            Tokenizer tokenizer,
            VisionEncoder vision,
            ChatTemplate chatTemplate,
            CompletableFuture<Void> repacked) {
        this.dir = dir;
        this.repacked = repacked;
        this.name = ModelPath.of(dir).name();
        this.config = config;
        this.textModel = textModel;
        this.tokenizer = tokenizer;
        this.chatFormat = ChatFormat.supports(tokenizer) ? new ChatFormat(tokenizer) : null;
        this.chatTemplate = chatTemplate;
        this.vision = vision;
        this.images = vision == null ? null : new ImageMediaEncoder(vision, tokenizer::tokenId);
        this.media = images == null ? new MediaEncoders(name) : new MediaEncoders(name, images);
    }

    /** Loads {@code dir} with the shared compute pool; failures name the file and the problem. */
    public static Llama4Model load(Path dir) {
        return load(dir, ComputePool.shared());
    }

    /** Folders load in float32 (exact), GGUF files with each tensor as stored. */
    public static Llama4Model load(Path dir, ComputePool pool) {
        return load(dir, pool, ModelPath.of(dir).isGguf() ? WeightFormat.NATIVE : WeightFormat.F32);
    }

    /**
     * Loads {@code dir} with the text decoder's large matrices in {@code format} (bf16 as stored,
     * or quantized at load to 8 or 4 bits); the vision tower's matrices in {@link #visionFormat}.
     */
    public static Llama4Model load(Path dir, ComputePool pool, WeightFormat format) {
        return load(dir, pool, format, MemoryPlan.DEFAULT_KV_BYTES);
    }

    /**
     * As {@link #load(Path, ComputePool, WeightFormat)}, first checking the {@link MemoryPlan}
     * (weights in {@code format} + {@code kvBytes} of KV cache + overhead) against the free heap,
     * so a model too large is refused before any weight is read.
     */
    public static Llama4Model load(Path dir, ComputePool pool, WeightFormat format, long kvBytes) {
        return load(dir, pool, format, config -> kvBytes);
    }

    /**
     * As {@link #load(Path, ComputePool, WeightFormat, long)}, planning the KV cache of one
     * sequence of {@code positions} (what a command that runs one sequence alone will hold).
     */
    public static Llama4Model loadForSequence(Path dir, ComputePool pool, WeightFormat format, int positions) {
        return load(dir, pool, format, config -> KvCache.bytesFor(config, positions));
    }

    private static Llama4Model load(
            Path dir, ComputePool pool, WeightFormat format, ToLongFunction<TextModelConfig> kvBudget) {
        if (!ALIGNMENT_CHECKED.getAndSet(true)) {
            ArrayAlignment.advice(ArrayAlignment.ofRunningJvm())
                    .ifPresent(advice -> LOG.log(System.Logger.Level.WARNING, advice));
        }
        if (ModelPath.of(dir).isGguf()) {
            return loadGguf(dir, pool, format, kvBudget);
        }
        TextModelConfig config = TextModelConfig.read(dir.resolve("config.json"));
        long kvBytes = kvBudget.applyAsLong(config);
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        int imageToken = tokenizer.hasToken("<|patch|>") ? tokenizer.tokenId("<|patch|>") : -1;
        TextModel text;
        VisionEncoder vision = null;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            MemoryPlan.of(checkpoint, format, kvBytes, pool.threads())
                    .requireFits(
                            dir,
                            MemoryPlan.availableHeap(),
                            MemoryPlan.physicalMemory(),
                            format == WeightFormat.Q4
                                    ? null
                                    : MemoryPlan.of(checkpoint, WeightFormat.Q4, kvBytes, pool.threads()),
                            HeapRounding.ofRunningJvm());
            text = TextModel.load(checkpoint, config, imageToken, pool, format);
            if (config.multimodal()) {
                vision = VisionEncoder.load(
                        checkpoint, VisionConfig.read(dir.resolve("config.json")), pool, visionFormat(format));
            }
        }
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new ModelFormatException(
                    dir.resolve("tokenizer.json"),
                    "has " + tokenizer.vocabSize() + " tokens but the model's vocabulary is " + config.vocabSize());
        }
        return new Llama4Model(
                dir,
                config,
                text,
                tokenizer,
                vision,
                ChatTemplate.forModel(dir, tokenizer).orElse(null),
                CompletableFuture.completedFuture(null));
    }

    /**
     * The memory plan of a Hugging Face model known only by its {@code config.json}: exactly the plan
     * of a safetensors checkpoint of that config stored in the config's dtype (bf16 when it names
     * none), the vision tower included when the config is multimodal. What a deployment (the Helm
     * chart) sizes its heap by before any weight file is at hand.
     */
    public static MemoryPlan memoryPlan(Path configJson, WeightFormat format, long kvBytes, int threads) {
        return MemoryPlan.of(ConfigTensors.of(configJson), format, kvBytes, threads);
    }

    /**
     * The vision tower's matrix format for a text format: float32 with float32, otherwise bf16 (the
     * checkpoint's own bits, so exact weights at half the bytes; quantizing the tower is not worth
     * its accuracy risk next to the text model's size).
     */
    static WeightFormat visionFormat(WeightFormat textFormat) {
        return textFormat == WeightFormat.F32 ? WeightFormat.F32 : WeightFormat.BF16;
    }

    /** A GGUF file: config from its architecture's metadata, tokenizer from tokenizer.ggml.*, text weights only. */
    private static Llama4Model loadGguf(
            Path file, ComputePool pool, WeightFormat format, ToLongFunction<TextModelConfig> kvBudget) {
        try (GgufFile gguf = GgufFile.open(file)) {
            TextModelConfig config = GgufModelConfig.read(gguf);
            long kvBytes = kvBudget.applyAsLong(config);
            MemoryPlan.of(gguf, format, kvBytes, pool.threads())
                    .requireFits(
                            file,
                            MemoryPlan.availableHeap(),
                            MemoryPlan.physicalMemory(),
                            format == WeightFormat.Q4
                                    ? null
                                    : MemoryPlan.of(gguf, WeightFormat.Q4, kvBytes, pool.threads()),
                            HeapRounding.ofRunningJvm());
            Tokenizer tokenizer = GgufTokenizer.read(gguf);
            if (tokenizer.vocabSize() > config.vocabSize()) {
                throw new ModelFormatException(
                        file,
                        "has " + tokenizer.vocabSize() + " tokens but the model's vocabulary is " + config.vocabSize());
            }
            int imageToken = tokenizer.hasToken("<|patch|>") ? tokenizer.tokenId("<|patch|>") : -1;
            GgufDecoderWeights weights = new GgufDecoderWeights(gguf, format, pool);
            TextModel text = TextModel.load(weights, config, imageToken, pool, format);
            List<StagedMatrix> staged = weights.staged();
            CompletableFuture<Void> repacked =
                    StagedMatrix.finishInBackground(staged, "llamastream-repack " + file.getFileName());
            long loaded = System.nanoTime();
            repacked.whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "repacking " + file + " failed; its Q8_0 matrices keep computing from the file's mapping",
                            failure);
                } else if (!staged.isEmpty()) {
                    LOG.log(
                            System.Logger.Level.INFO,
                            String.format(
                                    Locale.ROOT,
                                    "%s: %d Q8_0 matrices repacked in the background in %.1f s; full speed from now on",
                                    file.getFileName(),
                                    staged.size(),
                                    (System.nanoTime() - loaded) / 1e9));
                }
            });
            return new Llama4Model(
                    file,
                    config,
                    text,
                    tokenizer,
                    null,
                    GgufTokenizer.chatTemplate(gguf, tokenizer).orElse(null),
                    repacked);
        }
    }

    /**
     * The tokenizer of a model path without loading weights: a folder's {@code tokenizer.json},
     * or the {@code tokenizer.ggml.*} metadata of a GGUF file.
     */
    public static Tokenizer tokenizer(Path model) {
        if (ModelPath.of(model).isGguf()) {
            try (GgufFile gguf = GgufFile.open(model)) {
                return GgufTokenizer.read(gguf);
            }
        }
        return Tokenizer.fromTokenizerJson(model.resolve("tokenizer.json"));
    }

    /**
     * Completes when every matrix this model serves from its file's mapping (a GGUF's Q8_0
     * tensors, see {@link StagedMatrix}) has been repacked by a background thread, from when on
     * the model runs at full speed; complete at load for every other model. It fails if a repack
     * failed, and the model then keeps computing, correctly, from the mapping.
     */
    public CompletableFuture<Void> repacked() {
        return repacked.copy();
    }

    /** The model path: a folder, or a GGUF file. */
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

    /**
     * The built-in Llama 4 chat layout (also the one with media).
     *
     * @throws IllegalArgumentException if the vocabulary lacks its control tokens (a Llama 3 model)
     */
    public ChatFormat chatFormat() {
        return chatFormat != null ? chatFormat : PromptFormat.builtin(dir, tokenizer);
    }

    /** The checkpoint's own chat template, when it carries one. */
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** How this model's conversations become prompts: its own template if any, else {@link #chatFormat()}. */
    public PromptFormat promptFormat() {
        return chatTemplate != null ? chatTemplate : chatFormat();
    }

    /** The vision tower of a multimodal checkpoint, or null for a text-only model. */
    public VisionEncoder visionEncoder() {
        return vision;
    }

    /** The image path (decode, tile, encode, project), or throws UnsupportedModalityException. */
    public ImageMediaEncoder imageEncoder() {
        media.forModality(Modality.IMAGE);
        return images;
    }

    /** Encoders per modality; asking for one the model lacks throws UnsupportedModalityException. */
    public MediaEncoders media() {
        return media;
    }
}
