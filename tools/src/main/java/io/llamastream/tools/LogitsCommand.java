package io.llamastream.tools;

import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.checkpoint.SafetensorsWriter;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.vision.VisionEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code logits}: runs the model on given ids (and, for a multimodal model, given preprocessed
 * tiles whose projected rows replace the {@code <|patch|>} ids in order) and writes the logits
 * of every position.
 */
@Command(name = "logits", description = "Write F32 logits [T, vocab] of every position to a safetensors file.")
public final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--ids", required = true, split = ",", description = "Token ids, comma-separated.")
    int[] ids;

    @Option(names = "--out", required = true, description = "Output safetensors file.")
    Path out;

    @Option(
            names = "--pixel-values",
            paramLabel = "FILE",
            description = "Safetensors file with F32 tiles [tiles, 3, S, S].")
    Path pixelValues;

    @Option(
            names = "--tensor",
            defaultValue = "pixel_values",
            description = "Tensor name in --pixel-values (default ${DEFAULT-VALUE}).")
    String tensor;

    @Override
    public Integer call() throws IOException {
        // The one sequence holds the ids (image rows replace some of them, never add any).
        Llama4Model m = model.load(model.pool(), ids.length);
        float[] imageRows = null;
        if (pixelValues != null) {
            m.imageEncoder(); // a text-only model refuses pixel values here, naming the model
            VisionEncoder vision = m.visionEncoder();
            try (SafetensorsFile f = SafetensorsFile.open(pixelValues)) {
                int tiles = f.info(tensor).dim(0);
                float[] features = vision.encode(f.readFloats(tensor), tiles);
                imageRows = vision.project(features, tiles * vision.config().tokensPerTile());
            }
        }
        float[] logits = m.textModel().forward(new Batch().add(m.textModel().newCache(), ids, imageRows), true);
        new SafetensorsWriter()
                .addF32("logits", new long[] {ids.length, m.config().vocabSize()}, logits)
                .write(out);
        System.err.printf(
                "[llamastream] wrote logits [%d, %d] to %s%n",
                ids.length, m.config().vocabSize(), out);
        return 0;
    }
}
