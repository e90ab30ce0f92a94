package io.llamastream.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.math.Bf16;
import io.llamastream.engine.math.Fp16;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file. The header is parsed and every tensor's dtype, shape and
 * byte range is validated against the file size before any data is touched; tensor data is
 * read through read-only mappings of at most {@link #MAX_MAPPING} bytes so tensors larger
 * than one {@code ByteBuffer} can address (a Scout expert tensor is 2.7 GB) still load.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header accepted; real headers are a few hundred KB. Guards against hostile lengths. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    static final long MAX_MAPPING = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; throws {@link ModelFormatException} naming the file. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(path, channel);
        } catch (RuntimeException | IOException e) {
            closeQuietly(channel);
            if (e instanceof ModelFormatException mfe) {
                throw mfe;
            }
            throw new ModelFormatException(path, "unreadable safetensors file: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new ModelFormatException(
                    path, "truncated: " + size + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        PositionalRead.readFully(channel, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
            throw new ModelFormatException(
                    path, "header length " + headerLen + " is not plausible (file is " + size + " bytes)");
        }
        if (8 + headerLen > size) {
            throw new ModelFormatException(
                    path,
                    "truncated: header claims " + headerLen + " bytes but the file has only " + (size - 8)
                            + " after the length");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLen);
        PositionalRead.readFully(channel, header, 8);
        JsonNode root;
        try {
            root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelFormatException(path, "header is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(path, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue()
                        .fields()
                        .forEachRemaining(
                                m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
        }
        checkNoOverlap(path, tensors);
        return new SafetensorsFile(
                path, channel, dataStart, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new ModelFormatException(path, where + ": header entry is not an object");
        }
        DType dtype = DType.parse(node.path("dtype").asText(""));
        if (dtype == null) {
            throw new ModelFormatException(
                    path, where + ": unknown dtype '" + node.path("dtype").asText("") + "'");
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new ModelFormatException(path, where + ": needs 'shape' and two 'data_offsets'");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new ModelFormatException(path, where + ": bad shape " + shapeNode);
            }
            shape[i] = d.asLong();
            elements = Math.multiplyExact(elements, shape[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new ModelFormatException(path, where + ": bad data_offsets " + offsets);
        }
        if (end > dataSize) {
            throw new ModelFormatException(
                    path,
                    where + ": data_offsets end " + end + " is past the end of the data (" + dataSize
                            + " bytes; file truncated?)");
        }
        long expected = Math.multiplyExact(elements, dtype.bytes());
        if (end - begin != expected) {
            throw new ModelFormatException(
                    path,
                    where + ": shape " + shapeNode + " of " + dtype + " needs " + expected
                            + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end() && b.end() > b.begin()) {
                throw new ModelFormatException(path, "tensors '" + a.name() + "' and '" + b.name() + "' overlap");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "tensor '" + name + "' is missing");
        }
        return t;
    }

    /** Reads a floating tensor (BF16, F16, F32, F64) whole, converted to float32. */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(
                    path, "tensor '" + name + "' has " + n + " elements, too many for one array");
        }
        float[] out = new float[(int) n];
        readFloats(t, 0, out, 0, out.length);
        return out;
    }

    /**
     * Reads {@code count} elements starting at element {@code first} of a floating tensor into
     * {@code dst[dstOff..]}, converting to float32.
     */
    public void readFloats(TensorInfo t, long first, float[] dst, int dstOff, int count) {
        if (!t.dtype().isFloating()) {
            throw new ModelFormatException(path, "tensor '" + t.name() + "' is " + t.dtype() + ", not a floating type");
        }
        if (first < 0 || count < 0 || first + count > t.elementCount()) {
            throw new IndexOutOfBoundsException(
                    t.name() + ": elements " + first + "+" + count + " of " + t.elementCount());
        }
        int width = t.dtype().bytes();
        int perMap = (int) (MAX_MAPPING / width);
        int done = 0;
        while (done < count) {
            int chunk = Math.min(perMap, count - done);
            ByteBuffer buf = map(t.begin() + (first + done) * width, (long) chunk * width);
            convert(t.dtype(), buf, dst, dstOff + done, chunk);
            done += chunk;
        }
    }

    /**
     * Reads {@code t}'s data from byte {@code offset} (relative to the tensor) into {@code dst}, up
     * to its limit, with positional reads: unlike {@link #readFloats(TensorInfo, long, float[], int, int)}
     * no mapping is left behind, so converting a large checkpoint does not grow the resident set.
     * Thread-safe.
     */
    public void readBytes(TensorInfo t, long offset, ByteBuffer dst) {
        if (offset < 0 || t.begin() + offset + dst.remaining() > t.end()) {
            throw new IndexOutOfBoundsException(
                    t.name() + ": bytes " + offset + "+" + dst.remaining() + " of " + (t.end() - t.begin()));
        }
        try {
            PositionalRead.readFully(channel, dst, dataStart + t.begin() + offset);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read tensor '" + t.name() + "': " + e.getMessage(), e);
        }
    }

    /** Reads an integer tensor (I32 or I64) whole, as longs. */
    public long[] readLongs(String name) {
        TensorInfo t = info(name);
        if (t.dtype() != DType.I32 && t.dtype() != DType.I64) {
            throw new ModelFormatException(path, "tensor '" + name + "' is " + t.dtype() + ", not I32/I64");
        }
        int n = Math.toIntExact(t.elementCount());
        ByteBuffer buf = map(t.begin(), t.end() - t.begin());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = t.dtype() == DType.I32 ? buf.getInt() : buf.getLong();
        }
        return out;
    }

    private ByteBuffer map(long offset, long length) {
        try {
            MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + offset, length);
            return m.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelFormatException(
                    path, "cannot map bytes " + offset + "+" + length + ": " + e.getMessage(), e);
        }
    }

    private static void convert(DType type, ByteBuffer src, float[] dst, int off, int n) {
        switch (type) {
            case F32 -> src.asFloatBuffer().get(dst, off, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[off + i] = Bf16.toFloat(src.getShort());
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[off + i] = Fp16.toFloat(src.getShort());
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    dst[off + i] = (float) src.getDouble();
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the file was opened read-only.
        }
    }
}
