package io.llamastream.engine.weights;

import com.sun.management.OperatingSystemMXBean;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.DType;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.TensorInfo;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.checkpoint.gguf.GgufTensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The memory a model will take, computed from its headers alone before any weight is read (or, for
 * a Hugging Face model, from its config.json alone: {@code Llama4Model.memoryPlan}): the bytes of every tensor in
 * the chosen {@link WeightFormat} (norms and routers float32, embeddings as the loader keeps them),
 * array by array, plus the KV cache budget and an allowance for activations, the tokenizer and the
 * slices loading converts experts through on every thread. This is the one place the engine's
 * memory arithmetic lives; the Helm chart's tests size the JVM by it too.
 * {@link #requireFits} adds the collector's rounding of the large arrays ({@link HeapRounding}) and
 * refuses at once, with the numbers and the remedy, a load that would otherwise end in an
 * OutOfMemoryError halfway through.
 *
 * @param arrays the size of every weight array the loader will allocate, in bytes; they sum to
 *     {@code weightBytes} (empty for a plan given as totals)
 */
public record MemoryPlan(WeightFormat format, long weightBytes, long kvBytes, long overheadBytes, long[] arrays) {

    /** A plan given as totals, with no array sizes to round. */
    public MemoryPlan(WeightFormat format, long weightBytes, long kvBytes, long overheadBytes) {
        this(format, weightBytes, kvBytes, overheadBytes, new long[0]);
    }

    private static MemoryPlan of(WeightFormat format, List<Long> arrays, long kvBytes, long overheadBytes) {
        long[] sizes = arrays.stream().mapToLong(Long::longValue).toArray();
        return new MemoryPlan(format, LongStream.of(sizes).sum(), kvBytes, overheadBytes, sizes);
    }

    /** The KV budget assumed when the caller gives none (the scheduler's default). */
    public static final long DEFAULT_KV_BYTES = 1L << 30;
    /** Activations, tokenizer, thread stacks and per-thread load slices. */
    private static final long BASE_OVERHEAD = 256L << 20;

    private static final long PER_THREAD_OVERHEAD = 64L << 20;

    public long totalBytes() {
        return weightBytes + kvBytes + overheadBytes;
    }

    private static long overhead(int threads) {
        return BASE_OVERHEAD + PER_THREAD_OVERHEAD * Math.max(1, threads);
    }

    /** The heap the loaded weights take under {@code gc}: their bytes plus the collector's rounding of their arrays. */
    public long weightHeapBytes(HeapRounding gc) {
        return weightBytes + roundingBytes(gc);
    }

    /** The heap the plan takes under {@code gc}: its bytes plus the collector's rounding of the weight arrays. */
    public long heapBytes(HeapRounding gc) {
        return totalBytes() + roundingBytes(gc);
    }

    /** What {@code gc} adds to the weight arrays by placing large ones in whole regions or pages. */
    public long roundingBytes(HeapRounding gc) {
        long extra = 0;
        for (long a : arrays) {
            extra += gc.footprint(a) - a;
        }
        return extra;
    }

    /**
     * The arrays of {@code count} matrices of {@code n} weights each, rows of {@code cols}, in
     * {@code f} (not NATIVE): the values, and for q8/q4 one float32 scale per 32 of them, both over
     * the rows padded to whole groups of four as the block formats store them.
     */
    static void matrices(List<Long> arrays, WeightFormat f, long n, long cols, long count) {
        // Widths that are not whole blocks stay bf16, as the loaders store them.
        WeightFormat stored = f.forWidth((int) cols);
        long padded = stored.blocked() ? padded(n, cols) : n;
        for (long i = 0; i < count; i++) {
            switch (stored) {
                case F32 -> arrays.add(4 * n);
                case BF16 -> arrays.add(2 * n);
                case Q8 -> {
                    arrays.add(padded);
                    arrays.add(padded / 32 * 4);
                }
                case Q4 -> {
                    arrays.add(padded / 2);
                    arrays.add(padded / 32 * 4);
                }
                case NATIVE -> throw new IllegalArgumentException("NATIVE has no fixed size");
            }
        }
    }

    /** {@code n} weights in rows of {@code cols}, the rows rounded up to whole groups ({@link RowKernelMatrix#GROUP}). */
    /** The bytes of one {@code rows x cols} matrix in {@code f} (not NATIVE), as {@link #matrices} counts them. */
    static long matrixBytes(WeightFormat f, int rows, int cols) {
        List<Long> arrays = new ArrayList<>();
        matrices(arrays, f, (long) rows * cols, cols, 1);
        return arrays.stream().mapToLong(Long::longValue).sum();
    }

    private static long padded(long n, long cols) {
        long rows = n / cols;
        return (rows + RowKernelMatrix.GROUP - 1) / RowKernelMatrix.GROUP * RowKernelMatrix.GROUP * cols;
    }

    /** A tensor as a checkpoint's header gives it: all a plan needs to count it. */
    public record Tensor(DType dtype, long[] shape) {
        long elements() {
            return LongStream.of(shape).reduce(1, (a, b) -> a * b);
        }

        int rank() {
            return shape.length;
        }
    }

    /**
     * A Hugging Face checkpoint's plan. NATIVE is the checkpoint's own precision (bf16 for a bf16
     * folder); a multimodal checkpoint's vision matrices are counted in bf16 unless the text format
     * is F32 (as {@code Llama4Model} loads them), its other vision tensors in float32.
     */
    public static MemoryPlan of(Checkpoint ck, WeightFormat format, long kvBytes, int threads) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : ck.tensorNames()) {
            TensorInfo t = ck.info(name);
            tensors.put(name, new Tensor(t.dtype(), t.shape()));
        }
        return of(tensors, format, kvBytes, threads);
    }

    /**
     * The plan of a Hugging Face checkpoint given as its tensors by name (a checkpoint's headers, or
     * the tensors a checkpoint of a config.json would hold: {@code Llama4Model.memoryPlan}).
     */
    public static MemoryPlan of(Map<String, Tensor> tensors, WeightFormat format, long kvBytes, int threads) {
        String root = tensors.containsKey("language_model.model.embed_tokens.weight") ? "language_model." : "";
        String embed = root + "model.embed_tokens.weight";
        WeightFormat f = format;
        if (f == WeightFormat.NATIVE) {
            f = tensors.containsKey(embed) && tensors.get(embed).dtype() == DType.BF16
                    ? WeightFormat.BF16
                    : WeightFormat.F32;
        }
        List<Long> arrays = new ArrayList<>();
        long slice = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            long n = t.elements();
            if (!name.startsWith(root) && t.rank() == 2 && name.endsWith(".weight")) {
                // The vision tower stacks each layer's q, k and v projections into one matrix.
                if (name.endsWith("self_attn.q_proj.weight")) {
                    arrays.add((f == WeightFormat.F32 ? 4 : 2) * 3 * n);
                } else if (!name.endsWith("self_attn.k_proj.weight") && !name.endsWith("self_attn.v_proj.weight")) {
                    arrays.add((f == WeightFormat.F32 ? 4 : 2) * n);
                }
            } else if (!name.startsWith(root) || t.rank() < 2 || name.contains("router")) {
                arrays.add(4 * n);
            } else if (name.equals(embed)) {
                arrays.add(f == WeightFormat.F32 ? 4 * n : 2 * n);
            } else if (t.rank() == 3) {
                // Stacked experts: gate_up_proj [E, H, 2I] becomes 2E matrices, down_proj [E, I, H] E of them.
                long experts = t.shape()[0];
                long count = name.endsWith("gate_up_proj") ? 2 * experts : experts;
                matrices(arrays, f, n / count, t.shape()[1], count);
                slice = Math.max(slice, expertScratch(tensors, name, f));
            } else {
                matrices(arrays, f, n, t.shape()[1], 1);
            }
        }
        boolean tied = tensors.containsKey(embed) && !tensors.containsKey(root + "lm_head.weight");
        if (tied && f.blocked()) {
            // A tied model's output matrix is the embedding table quantized; in f32/bf16 it shares the table.
            Tensor t = tensors.get(embed);
            matrices(arrays, f, t.elements(), t.shape()[1], 1);
        }
        return of(f, arrays, kvBytes, overhead(threads) + slice * Math.max(1, threads));
    }

    /**
     * The bytes one compute thread reads the stacked expert tensor {@code name} through, as
     * {@code WeightLoader.expert} does: one band of 32 input rows of bf16 when it quantizes bf16
     * experts into q8/q4 in bands; else one expert's bf16 {@code gate_up_proj} slice when both
     * tensors are bf16 and the format is not F32; else that slice as float32 and a row-major
     * float32 copy of one of its matrices.
     */
    private static long expertScratch(Map<String, Tensor> tensors, String name, WeightFormat f) {
        String prefix = name.substring(0, name.lastIndexOf('.') + 1);
        Tensor gu = tensors.get(prefix + "gate_up_proj");
        Tensor dn = tensors.get(prefix + "down_proj");
        Tensor t = tensors.get(name);
        long n = t.elements();
        long experts = t.shape()[0];
        boolean bf16 = gu != null && dn != null && gu.dtype() == DType.BF16 && dn.dtype() == DType.BF16;
        if (bf16 && f.quantizesExpertsInBands(gu.dtype(), dn.dtype(), (int) gu.shape()[1], (int) (gu.shape()[2] / 2))) {
            return 2L * WeightFormat.BLOCK * t.shape()[2];
        }
        if (bf16 && f != WeightFormat.F32) {
            return 2 * (n / experts);
        }
        long count = name.endsWith("gate_up_proj") ? 2 * experts : experts;
        return 4 * (n / experts + n / count);
    }

    /** A GGUF file's plan: under NATIVE each tensor as {@code GgufDecoderWeights} keeps it. */
    public static MemoryPlan of(GgufFile file, WeightFormat format, long kvBytes, int threads) {
        List<Long> arrays = new ArrayList<>();
        for (GgufTensor t : file.tensors().values()) {
            long n = t.elements();
            boolean embed = t.name().equals("token_embd.weight");
            if (t.ne().length < 2 || t.name().contains("ffn_gate_inp")) {
                arrays.add(4 * n);
                continue;
            }
            if (embed) {
                arrays.add(embeddingBytes(t, format));
                if (file.contains("output.weight")) {
                    continue;
                }
            }
            // Split experts [E, out, in] (ne reversed) are one matrix per expert.
            long count = t.ne().length == 3 ? t.ne()[2] : 1;
            if (format == WeightFormat.NATIVE) {
                nativeMatrices(arrays, t, n / count, count);
            } else {
                matrices(arrays, format, n / count, t.ne()[0], count);
            }
        }
        return of(format, arrays, kvBytes, overhead(threads));
    }

    private static long embeddingBytes(GgufTensor t, WeightFormat format) {
        GgmlType type = t.type();
        if (type == GgmlType.BF16 && format != WeightFormat.F32) {
            return 2 * t.elements();
        }
        if (type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16 || format == WeightFormat.F32) {
            return 4 * t.elements();
        }
        return t.bytes();
    }

    /** The arrays of {@code count} matrices of {@code n} weights each, kept as the file stores {@code t}. */
    private static void nativeMatrices(List<Long> arrays, GgufTensor t, long n, long count) {
        // The K-quants as GgufDecoderWeights repacks them: nibbles or int8 and float32 scales per
        // 32 (Q6_K: per 16) over rows padded to groups; Q4_K and Q5_K also their min terms.
        long p = padded(n, t.ne()[0]);
        long rows = n / t.ne()[0];
        for (long i = 0; i < count; i++) {
            switch (t.type()) {
                case Q4_K -> {
                    arrays.add(p / 2);
                    arrays.add(p / 32 * 4);
                    MinTerms.arrays(arrays, rows, t.ne()[0]);
                }
                case Q5_K -> {
                    arrays.add(p);
                    arrays.add(p / 32 * 4);
                    MinTerms.arrays(arrays, rows, t.ne()[0]);
                }
                case Q6_K -> {
                    arrays.add(p);
                    arrays.add(p / 16 * 4);
                }
                case Q8_0 -> matrices(arrays, WeightFormat.Q8, n, t.ne()[0], 1);
                case Q4_0 -> matrices(arrays, WeightFormat.Q4, n, t.ne()[0], 1);
                case BF16 -> matrices(arrays, WeightFormat.BF16, n, t.ne()[0], 1);
                default -> matrices(arrays, WeightFormat.F32, n, t.ne()[0], 1);
            }
        }
    }

    /** Heap this JVM can still give: its maximum minus what is in use now. */
    public static long availableHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** The machine's physical memory, or Long.MAX_VALUE when the JVM cannot tell. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    /**
     * Throws when the plan does not fit {@code available} bytes of heap under {@code gc} (or the
     * machine's memory), naming {@code model}, every part of the plan and the remedy: the JVM
     * options that hold it ({@link #remedy}), or {@code smaller} (the plan in a smaller format, or
     * null when there is none).
     */
    public void requireFits(Path model, long available, long machine, MemoryPlan smaller, HeapRounding gc) {
        long need = heapBytes(gc);
        if (need <= available && need <= machine) {
            return;
        }
        long rounding = roundingBytes(gc);
        StringBuilder m = new StringBuilder(String.format(
                Locale.ROOT,
                "the model needs %s in %s (weights %s + KV cache %s + overhead %s%s) but only %s of heap is free (-Xmx %s",
                gib(need),
                format.name().toLowerCase(Locale.ROOT),
                gib(weightBytes),
                gib(kvBytes),
                gib(overheadBytes),
                rounding > 0 ? " + " + gib(rounding) + " of " + gc + " rounding large arrays up" : "",
                gib(available),
                gib(Runtime.getRuntime().maxMemory())));
        if (machine != Long.MAX_VALUE) {
            m.append(", machine ").append(gib(machine));
        }
        m.append("). Remedy: run with ").append(remedy(gc)).append(" on a machine with that much memory");
        if (smaller != null && smaller.heapBytes(gc) < need) {
            m.append(", or load a smaller format: --weight-format ")
                    .append(smaller.format.name().toLowerCase(Locale.ROOT))
                    .append(", run with ")
                    .append(smaller.remedy(gc));
        }
        throw new ModelFormatException(model, m.toString());
    }

    /**
     * The JVM options that hold this plan in the least heap: {@code -Xmx} alone, or with G1 (whose
     * regions grow with the heap it is given) the larger regions or ZGC when they waste less.
     */
    String remedy(HeapRounding gc) {
        long heap = heapBytes(gc);
        if (gc.collector() != HeapRounding.Collector.G1) {
            return "-Xmx" + gigabytes(heap) + "g";
        }
        for (int i = 0; i < 3; i++) {
            heap = heapBytes(HeapRounding.g1ForHeap(heap));
        }
        String best = "-Xmx" + gigabytes(heap) + "g";
        long largeRegions = heapBytes(HeapRounding.g1(32L << 20));
        long z = heapBytes(HeapRounding.z());
        if (largeRegions * 10 < heap * 9 && largeRegions <= z) {
            best = "-Xmx" + gigabytes(largeRegions) + "g -XX:G1HeapRegionSize=32m";
        } else if (z * 10 < heap * 9) {
            best = "-Xmx" + gigabytes(z) + "g -XX:+UseZGC";
        }
        return best;
    }

    private static long gigabytes(long bytes) {
        return (bytes + (1L << 30) - 1) >> 30;
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
