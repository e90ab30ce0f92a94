package io.llamastream.tools;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The options of the commands that load a model: {@code --model PATH} (a Hugging Face folder or a
 * {@code .gguf} file), {@code --weight-format} (default {@code native}: the checkpoint's own
 * precision, bf16 for a bf16 folder, GGUF types as stored) and {@code --threads}.
 */
public final class ModelOption {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "PATH",
            description = "Model folder (config.json, safetensors, tokenizer.json) or a .gguf file.")
    Path dir;

    @Option(
            names = "--weight-format",
            defaultValue = "native",
            paramLabel = "F",
            description =
                    "native (as stored: bf16 folders stay bf16, GGUF types as stored), f32, bf16, q8 or q4 (default ${DEFAULT-VALUE}).")
    String weightFormat;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "N",
            description = "Compute threads; 0 = all cores (default).")
    int threads;

    public WeightFormat format() {
        try {
            return WeightFormat.valueOf(weightFormat.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--weight-format '" + weightFormat + "' is not one of native, f32, bf16, q8, q4");
        }
    }

    /** The compute pool the options ask for: the shared one for all cores, else a pool of its own. */
    public ComputePool pool() {
        return threads <= 0 ? ComputePool.shared() : new ComputePool(threads);
    }

    /** Loads the model in the asked format on {@code pool}. */
    public Llama4Model load(ComputePool pool) {
        return Llama4Model.load(dir, pool, format());
    }
}
