package io.llamastream.engine.cli;

import io.llamastream.engine.Llama4Model;
import io.llamastream.engine.decoder.Batch;
import io.llamastream.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code logits}: runs the model on given ids and writes the logits of every position. */
@Command(name = "logits", description = "Write F32 logits [T, vocab] of every position to a safetensors file.")
public final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Option(names = "--ids", required = true, split = ",", description = "Token ids, comma-separated.")
    int[] ids;
    @Option(names = "--out", required = true, description = "Output safetensors file.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Llama4Model m = Llama4Model.load(model.dir);
        float[] logits = m.textModel().forward(new Batch().add(m.textModel().newCache(), ids), true);
        new SafetensorsWriter().addF32("logits", new long[] {ids.length, m.config().vocabSize()}, logits).write(out);
        System.err.printf("[llamastream] wrote logits [%d, %d] to %s%n", ids.length, m.config().vocabSize(), out);
        return 0;
    }
}
