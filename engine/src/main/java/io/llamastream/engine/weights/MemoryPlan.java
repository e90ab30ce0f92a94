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
import java.util.Locale;

/**
 * The memory a model will take, computed from its headers alone before any weight is read: the
 * bytes of every tensor in the chosen {@link WeightFormat} (norms and routers float32, embeddings
 * as the loader keeps them), plus the KV cache budget and a fixed allowance for activations,
 * the tokenizer and load-time slices. {@link #requireFits} refuses at once, with the numbers and
 * the remedy, a load that would otherwise end in an OutOfMemoryError halfway through.
 */
public record MemoryPlan(WeightFormat format, long weightBytes, long kvBytes, long overheadBytes) {
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

    /** Bytes of a matrix of {@code n} weights in {@code f} (not NATIVE). */
    static long matrixBytes(WeightFormat f, long n) {
        return switch (f) {
            case F32 -> 4 * n;
            case BF16 -> 2 * n;
            case Q8 -> n / 32 * 36;
            case Q4 -> n / 32 * 20;
            case NATIVE -> throw new IllegalArgumentException("NATIVE has no fixed size");
        };
    }

    /**
     * A Hugging Face checkpoint's plan. NATIVE is the checkpoint's own precision (bf16 for a bf16
     * folder); a multimodal checkpoint's vision matrices are counted in bf16 unless the text format
     * is F32 (as {@code Llama4Model} loads them), its other vision tensors in float32.
     */
    public static MemoryPlan of(Checkpoint ck, WeightFormat format, long kvBytes, int threads) {
        String root = ck.contains("language_model.model.embed_tokens.weight") ? "language_model." : "";
        String embed = root + "model.embed_tokens.weight";
        WeightFormat f = format;
        if (f == WeightFormat.NATIVE) {
            f = ck.contains(embed) && ck.info(embed).dtype() == DType.BF16 ? WeightFormat.BF16 : WeightFormat.F32;
        }
        long bytes = 0;
        for (String name : ck.tensorNames()) {
            TensorInfo t = ck.info(name);
            long n = t.elementCount();
            if (!name.startsWith(root) && t.rank() == 2 && name.endsWith(".weight")) {
                bytes += f == WeightFormat.F32 ? 4 * n : 2 * n;
            } else if (!name.startsWith(root) || t.rank() < 2 || name.contains("router")) {
                bytes += 4 * n;
            } else if (name.equals(embed)) {
                bytes += f == WeightFormat.F32 ? 4 * n : 2 * n;
            } else {
                bytes += matrixBytes(f, n);
            }
        }
        return new MemoryPlan(f, bytes, kvBytes, overhead(threads));
    }

    /** A GGUF file's plan: under NATIVE each tensor as {@code GgufDecoderWeights} keeps it. */
    public static MemoryPlan of(GgufFile file, WeightFormat format, long kvBytes, int threads) {
        long bytes = 0;
        for (GgufTensor t : file.tensors().values()) {
            long n = t.elements();
            boolean embed = t.name().equals("token_embd.weight");
            if (t.ne().length < 2 || t.name().contains("ffn_gate_inp")) {
                bytes += 4 * n;
                continue;
            }
            if (embed) {
                bytes += embeddingBytes(t, format);
                if (file.contains("output.weight")) {
                    continue;
                }
            }
            bytes += format == WeightFormat.NATIVE ? nativeBytes(t) : matrixBytes(format, n);
        }
        return new MemoryPlan(format, bytes, kvBytes, overhead(threads));
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

    private static long nativeBytes(GgufTensor t) {
        long n = t.elements();
        return switch (t.type()) {
            case Q4_K, Q5_K, Q6_K -> t.bytes();
            case Q8_0 -> matrixBytes(WeightFormat.Q8, n);
            case Q4_0 -> matrixBytes(WeightFormat.Q4, n);
            case BF16 -> 2 * n;
            default -> 4 * n;
        };
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
     * Throws when {@link #totalBytes()} exceeds {@code available} bytes of heap (or the machine's
     * memory), naming {@code model}, every part of the plan and the remedy: more heap, or
     * {@code smaller} (the plan in a smaller format, or null when there is none).
     */
    public void requireFits(Path model, long available, long machine, MemoryPlan smaller) {
        long need = totalBytes();
        if (need <= available && need <= machine) {
            return;
        }
        StringBuilder m = new StringBuilder(String.format(
                Locale.ROOT,
                "the model needs %s in %s (weights %s + KV cache %s + overhead %s) but only %s of heap is free (-Xmx %s",
                gib(need),
                format.name().toLowerCase(Locale.ROOT),
                gib(weightBytes),
                gib(kvBytes),
                gib(overheadBytes),
                gib(available),
                gib(Runtime.getRuntime().maxMemory())));
        if (machine != Long.MAX_VALUE) {
            m.append(", machine ").append(gib(machine));
        }
        m.append("). Remedy: run with -Xmx")
                .append((need + (1L << 30) - 1) >> 30)
                .append("g on a machine with that much memory");
        if (smaller != null && smaller.totalBytes() < need) {
            m.append(", or load a smaller format: --weight-format ")
                    .append(smaller.format.name().toLowerCase(Locale.ROOT))
                    .append(" needs ")
                    .append(gib(smaller.totalBytes()));
        }
        throw new ModelFormatException(model, m.toString());
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
