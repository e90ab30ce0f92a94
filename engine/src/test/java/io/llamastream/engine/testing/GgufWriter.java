package io.llamastream.engine.testing;

import io.llamastream.engine.checkpoint.gguf.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes GGUF v3 files for tests: metadata of the common types and tensor headers laid out as
 * llama.cpp does (32-byte alignment). The data section is left sparse: the file is extended to its
 * full length without writing, and {@link #put} writes chosen bytes at chosen places, so files
 * declaring hundreds of gigabytes cost nothing on disk.
 */
public final class GgufWriter {
    private static final int ALIGN = 32;
    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private int kvCount;
    private final List<Object[]> tensors = new ArrayList<>();
    private long dataSize;

    private static byte[] le(int bytes, long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        byte[] out = new byte[bytes];
        System.arraycopy(b.array(), 0, out, 0, bytes);
        return out;
    }

    private static void str(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeBytes(le(8, b.length));
        o.writeBytes(b);
    }

    private void key(String k, int type) {
        str(kv, k);
        kv.writeBytes(le(4, type));
        kvCount++;
    }

    public GgufWriter u32(String k, long v) {
        key(k, 4);
        kv.writeBytes(le(4, v));
        return this;
    }

    public GgufWriter f32(String k, float v) {
        key(k, 6);
        kv.writeBytes(le(4, Float.floatToIntBits(v)));
        return this;
    }

    public GgufWriter string(String k, String v) {
        key(k, 8);
        str(kv, v);
        return this;
    }

    public GgufWriter strings(String k, List<String> v) {
        key(k, 9);
        kv.writeBytes(le(4, 8));
        kv.writeBytes(le(8, v.size()));
        v.forEach(s -> str(kv, s));
        return this;
    }

    public GgufWriter ints(String k, int[] v) {
        key(k, 9);
        kv.writeBytes(le(4, 5));
        kv.writeBytes(le(8, v.length));
        for (int x : v) {
            kv.writeBytes(le(4, x));
        }
        return this;
    }

    /** The llama4 hyper-parameters of a text model. */
    public GgufWriter llama4(
            int hidden, int layers, int heads, int kvHeads, int experts, int ffnExpert, int ffnDense, int vocab) {
        return string("general.architecture", "llama4")
                .u32("llama4.vocab_size", vocab)
                .u32("llama4.embedding_length", hidden)
                .u32("llama4.block_count", layers)
                .u32("llama4.feed_forward_length", ffnDense)
                .u32("llama4.expert_feed_forward_length", ffnExpert)
                .u32("llama4.attention.head_count", heads)
                .u32("llama4.attention.head_count_kv", kvHeads)
                .u32("llama4.attention.key_length", hidden / heads)
                .u32("llama4.expert_count", experts)
                .u32("llama4.expert_used_count", 1)
                .u32("llama4.interleave_moe_layer_step", 1)
                .f32("llama4.rope.freq_base", 500000f)
                .f32("llama4.attention.layer_norm_rms_epsilon", 1e-5f);
    }

    /** Declares a tensor with dimensions outermost first; returns its offset in the data section. */
    public long tensor(String name, GgmlType type, long... shape) {
        long n = 1;
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
            n *= shape[i];
        }
        long offset = dataSize;
        tensors.add(new Object[] {name, ne, type, offset});
        dataSize += type.bytes(n);
        dataSize = (dataSize + ALIGN - 1) / ALIGN * ALIGN;
        return offset;
    }

    private final List<Object[]> puts = new ArrayList<>();

    /** Writes {@code bytes} at {@code offset} of the data section when the file is written. */
    public GgufWriter put(long offset, byte[] bytes) {
        puts.add(new Object[] {offset, bytes});
        return this;
    }

    /** Writes the file; returns the file offset of the data section. */
    public long write(Path path) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        head.writeBytes(le(4, 3));
        head.writeBytes(le(8, tensors.size()));
        head.writeBytes(le(8, kvCount));
        head.writeBytes(kv.toByteArray());
        for (Object[] t : tensors) {
            str(head, (String) t[0]);
            long[] ne = (long[]) t[1];
            head.writeBytes(le(4, ne.length));
            for (long d : ne) {
                head.writeBytes(le(8, d));
            }
            head.writeBytes(le(4, ((GgmlType) t[2]).id()));
            head.writeBytes(le(8, (Long) t[3]));
        }
        long dataStart = (head.size() + ALIGN - 1) / ALIGN * ALIGN;
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(0);
            f.write(head.toByteArray());
            f.setLength(dataStart + dataSize);
            for (Object[] p : puts) {
                f.seek(dataStart + (Long) p[0]);
                f.write((byte[]) p[1]);
            }
        }
        return dataStart;
    }
}
