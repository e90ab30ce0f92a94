package io.llamastream.helm;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.weights.HeapRounding;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java heap a model takes once the engine has loaded it, array by array, from the model's
 * config.json: the text decoder's large matrices in the load format (the engine's
 * {@link WeightFormat#bytesPerWeight()} layouts: int8/int4 values plus one float32 scale per 32,
 * rows padded to groups of 4; matrices whose width is not a multiple of 32 stay bf16), embeddings
 * bf16, norms and routers float32, the vision tower's matrices bf16. It adds what the heap needs beside the
 * bytes: the collector's rounding of large arrays ({@link HeapRounding}, the engine's own arithmetic), and the float32 scratch that
 * loading converts experts through, on every compute thread at once (the most it can be: bf16 experts into q8/q4
 * need only one band of 32 input rows, which the engine's plan counts instead).
 *
 * <p>This is the one place the chart's tests do the engine's memory arithmetic; switch it to
 * {@code io.llamastream.engine.weights.MemoryPlan} once that counts the vision tower and can be
 * built from a config alone.
 */
record ModelHeapPlan(long textBytes, long visionBytes, List<Long> arrays, long loadScratchBytes) {

    /**
     * The collector a JVM option string selects, as it places large arrays in a heap of 64 GiB or more:
     * ZGC when it says so, else G1 with the 32 MiB regions it picks for such a heap.
     */
    static HeapRounding collector(String jvmOptions) {
        return jvmOptions.contains("-XX:+UseZGC") ? HeapRounding.z() : HeapRounding.g1(32L << 20);
    }

    static ModelHeapPlan of(Path configJson, WeightFormat format, int threads) {
        TextModelConfig c = TextModelConfig.read(configJson);
        List<Long> arrays = new ArrayList<>();
        int hidden = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        for (int l = 0; l < c.numLayers(); l++) {
            matrix(arrays, format, q, hidden);
            matrix(arrays, format, kv, hidden);
            matrix(arrays, format, kv, hidden);
            matrix(arrays, format, hidden, q);
            arrays.add(2L * hidden * Float.BYTES);
            if (c.moeLayers()[l]) {
                arrays.add((long) c.numExperts() * hidden * Float.BYTES);
                for (int e = 0; e <= c.numExperts(); e++) { // the routed experts and the shared one
                    swiGlu(arrays, format, c.intermediateSize(), hidden);
                }
            } else {
                swiGlu(arrays, format, c.intermediateSizeMlp(), hidden);
            }
        }
        arrays.add((long) c.vocabSize() * hidden * (format == WeightFormat.F32 ? Float.BYTES : 2));
        arrays.add((long) hidden * Float.BYTES);
        matrix(arrays, format, c.vocabSize(), hidden);
        long text = sum(arrays);
        if (c.multimodal()) {
            vision(arrays, VisionConfig.read(configJson), format);
        }
        // WeightLoader.experts: per thread, one expert's gate_up slice and a row-major copy, as float32.
        long scratch = c.numExperts() == 0 ? 0 : (long) threads * (3L * hidden * c.intermediateSize()) * Float.BYTES;
        return new ModelHeapPlan(text, sum(arrays) - text, List.copyOf(arrays), scratch);
    }

    /** The heap the loaded weights take under {@code gc}. */
    long weightHeapBytes(HeapRounding gc) {
        return arrays.stream().mapToLong(gc::footprint).sum();
    }

    /** Bytes of all loaded weights, as the engine counts them (no G1 rounding). */
    long weightBytes() {
        return textBytes + visionBytes;
    }

    /** The heap the model needs while it loads under {@code gc} (weights plus conversion scratch). */
    long loadingHeapBytes(HeapRounding gc) {
        return weightHeapBytes(gc) + loadScratchBytes;
    }

    private static long sum(List<Long> arrays) {
        return arrays.stream().mapToLong(Long::longValue).sum();
    }

    private static void swiGlu(List<Long> arrays, WeightFormat format, int width, int hidden) {
        matrix(arrays, format, width, hidden);
        matrix(arrays, format, width, hidden);
        matrix(arrays, format, hidden, width);
    }

    /** The arrays of one {@code [rows, cols]} matrix in {@code format}. */
    private static void matrix(List<Long> arrays, WeightFormat format, long rows, long cols) {
        boolean quantized = format == WeightFormat.Q8 || format == WeightFormat.Q4;
        if (quantized && cols % WeightFormat.BLOCK != 0) {
            format = WeightFormat.BF16;
            quantized = false;
        }
        if (!quantized) {
            arrays.add(rows * cols * (long) format.bytesPerWeight());
            return;
        }
        long paddedRows = (rows + 3) / 4 * 4;
        long scales = paddedRows * (cols / WeightFormat.BLOCK) * Float.BYTES;
        arrays.add((long) Math.ceil(paddedRows * cols * format.bytesPerWeight()) - scales);
        arrays.add(scales);
    }

    /** The vision tower: its matrices bf16 (float32 beside a float32 text model), the rest float32. */
    private static void vision(List<Long> arrays, VisionConfig v, WeightFormat format) {
        long m = format == WeightFormat.F32 ? Float.BYTES : 2;
        long h = v.hiddenSize();
        long i = v.intermediateSize();
        for (int l = 0; l < v.numLayers(); l++) {
            for (int p = 0; p < 4; p++) {
                arrays.add(h * h * m);
            }
            arrays.add(i * h * m);
            arrays.add(h * i * m);
            arrays.add((8 * h + i) * Float.BYTES); // biases and layer norms
        }
        long patchIn = (long) v.numChannels() * v.patchSize() * v.patchSize();
        arrays.add(h * patchIn * m);
        arrays.add(((long) v.grid() * v.grid() + 2) * h * Float.BYTES); // positions and the class embedding
        arrays.add(4 * h * Float.BYTES); // pre and post layer norms
        arrays.add((long) v.projectorInputDim() * v.shuffledDim() * m);
        arrays.add((long) v.projectorOutputDim() * v.projectorInputDim() * m);
        arrays.add((long) v.textHiddenSize() * v.visionOutputDim() * m);
    }
}
