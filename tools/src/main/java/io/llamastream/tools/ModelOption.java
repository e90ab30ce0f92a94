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

    @Option(
            names = "--kv-budget",
            paramLabel = "SIZE",
            description =
                    "KV cache bytes the memory plan reserves (e.g. 512m, 4g); default: what this command's one sequence will hold.")
    String kvBudget;

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

    /**
     * Loads the model in the asked format on {@code pool}, its memory plan reserving
     * {@code --kv-budget} or else the KV cache of one sequence of {@code positions}.
     */
    public Llama4Model load(ComputePool pool, int positions) {
        if (kvBudget != null) {
            return Llama4Model.load(dir, pool, format(), parseBytes(kvBudget));
        }
        return Llama4Model.loadForSequence(dir, pool, format(), positions);
    }

    /** A byte count: digits with an optional k, m or g suffix (binary units). */
    static long parseBytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--kv-budget '" + text + "' is not a byte count like 512m or 4g");
        }
    }
}
