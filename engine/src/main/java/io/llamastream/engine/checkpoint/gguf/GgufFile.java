package io.llamastream.engine.checkpoint.gguf;

import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.PositionalRead;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An open GGUF file (versions 2 and 3): its metadata key/values, its tensor headers and
 * positional reads of tensor bytes at any 64-bit offset. The whole header is read and validated
 * by {@link #open}, before any tensor data is touched; every failure is a
 * {@link ModelFormatException} naming the file. Architecture-neutral: {@link GgufMetadata} reads
 * typed values under any prefix. Thread-safe for reads.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian int. */
    private static final int MAGIC = 0x46554747;

    private static final int DEFAULT_ALIGNMENT = 32;
    /** The smallest possible key/value entry: empty key (8), type (4), one byte of value. */
    private static final int MIN_KV_BYTES = 13;
    /** The smallest possible tensor entry: empty name (8), n_dims (4), one dim (8), type (4), offset (8). */
    private static final int MIN_TENSOR_BYTES = 32;

    private static final int MAX_DIMS = 4;

    private final Path path;
    private final FileChannel channel;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensor> tensors;
    private final long dataStart;
    private final long size;

    private GgufFile(
            Path path,
            FileChannel channel,
            int version,
            GgufMetadata metadata,
            Map<String, GgufTensor> tensors,
            long dataStart,
            long size) {
        this.path = path;
        this.channel = channel;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.size = size;
    }

    /** Opens and validates {@code path}'s header; the caller closes the returned file. */
    public static GgufFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot open: " + e, e);
        }
        try {
            return parse(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ModelFormatException(path, "cannot read: " + e, e);
        }
    }

    private static GgufFile parse(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        HeaderReader in = new HeaderReader(path, channel, size);
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.fail(String.format("not a GGUF file: magic is 0x%08x, expected \"GGUF\"", magic));
        }
        int version = in.i32("version");
        if (version != 2 && version != 3) {
            throw in.fail("GGUF version " + Integer.toUnsignedString(version) + " is not supported (only 2 and 3)");
        }
        long tensorCount = in.count("tensor count", MIN_TENSOR_BYTES);
        long kvCount = in.count("metadata key/value count", MIN_KV_BYTES);
        GgufMetadata metadata = GgufMetadata.read(in, kvCount);
        long alignment = metadata.has("general.alignment") ? metadata.uint("general.alignment") : DEFAULT_ALIGNMENT;
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > (1 << 20)) {
            throw in.fail("general.alignment " + alignment + " is not a power of two up to 1 MiB");
        }
        Map<String, GgufTensor> tensors = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensor t = readTensor(in, i);
            if (tensors.put(t.name(), t) != null) {
                throw in.fail("tensor '" + t.name() + "' is declared twice");
            }
        }
        long dataStart = align(in.position(), alignment);
        for (GgufTensor t : tensors.values()) {
            if (t.offset() % alignment != 0) {
                throw in.fail("tensor '" + t.name() + "' has offset " + t.offset()
                        + ", not a multiple of the alignment " + alignment);
            }
            if (t.offset() > size - dataStart || t.bytes() > size - dataStart - t.offset()) {
                throw in.fail("tensor '" + t.name() + "' (" + t.bytes() + " bytes at data offset " + t.offset()
                        + ") lies past the end of the file (" + size + " bytes, data from " + dataStart
                        + "): truncated or corrupt");
            }
        }
        return new GgufFile(path, channel, version, metadata, Collections.unmodifiableMap(tensors), dataStart, size);
    }

    private static GgufTensor readTensor(HeaderReader in, long index) {
        String name = in.string("name of tensor #" + index);
        int dims = in.i32("dimension count of tensor '" + name + "'");
        if (dims < 1 || dims > MAX_DIMS) {
            throw in.fail("tensor '" + name + "' has " + Integer.toUnsignedString(dims) + " dimensions (1 to "
                    + MAX_DIMS + " allowed)");
        }
        long[] ne = new long[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            ne[d] = in.i64("dimension " + d + " of tensor '" + name + "'");
            if (ne[d] < 1) {
                throw in.fail("tensor '" + name + "' has dimension " + d + " of " + Long.toUnsignedString(ne[d]));
            }
            if (elements > Long.MAX_VALUE / ne[d]) {
                throw in.fail("tensor '" + name + "' has more elements than a 64-bit count holds");
            }
            elements *= ne[d];
        }
        int typeId = in.i32("type of tensor '" + name + "'");
        GgmlType type = GgmlType.byId(typeId & 0xFFFFFFFFL);
        if (type == null) {
            throw in.fail("tensor '" + name + "' has unknown ggml type id " + Integer.toUnsignedString(typeId));
        }
        if (ne[0] % type.blockSize() != 0) {
            throw in.fail("tensor '" + name + "' of type " + type + " has rows of " + ne[0]
                    + " values, not a whole number of " + type.blockSize() + "-value blocks");
        }
        long offset = in.i64("offset of tensor '" + name + "'");
        if (offset < 0) {
            throw in.fail("tensor '" + name + "' has offset " + Long.toUnsignedString(offset));
        }
        long bytes;
        try {
            bytes = type.bytes(elements);
        } catch (ArithmeticException e) {
            throw in.fail("tensor '" + name + "' is larger than a 64-bit size holds");
        }
        return new GgufTensor(name, ne, type, offset, bytes);
    }

    private static long align(long pos, long alignment) {
        return (pos + alignment - 1) / alignment * alignment;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor headers by name, in file order. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor named {@code name}; a missing one fails naming the file and the tensor. */
    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "tensor '" + name + "' is missing");
        }
        return t;
    }

    /** File offset of the data section (tensor offsets are relative to it). */
    public long dataStart() {
        return dataStart;
    }

    public long size() {
        return size;
    }

    /**
     * Reads {@code len} bytes of tensor {@code t} starting {@code from} bytes into it, into
     * {@code dst[off..]}: one positional read loop, valid at any offset of a file of any size.
     */
    public void read(GgufTensor t, long from, byte[] dst, int off, int len) {
        if (from < 0 || len < 0 || from > t.bytes() - len) {
            throw new IndexOutOfBoundsException(t.name() + ": bytes " + from + "+" + len + " of " + t.bytes());
        }
        long pos = dataStart + t.offset() + from;
        try {
            PositionalRead.readFully(channel, ByteBuffer.wrap(dst, off, len), pos);
        } catch (EOFException e) {
            throw new ModelFormatException(
                    path, "truncated while reading tensor '" + t.name() + "' at offset " + pos, e);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read tensor '" + t.name() + "': " + e, e);
        }
    }

    /**
     * Maps {@code len} bytes of tensor {@code t} starting {@code from} bytes into it, read-only
     * and little-endian. The mapping stays valid after this file is closed; it needs
     * {@code len <= Integer.MAX_VALUE}.
     */
    public ByteBuffer map(GgufTensor t, long from, int len) {
        if (from < 0 || len < 0 || from > t.bytes() - len) {
            throw new IndexOutOfBoundsException(t.name() + ": bytes " + from + "+" + len + " of " + t.bytes());
        }
        long pos = dataStart + t.offset() + from;
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, pos, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot map tensor '" + t.name() + "' at offset " + pos + ": " + e, e);
        }
    }

    /**
     * Decodes {@code count} values of tensor {@code t} (a whole number of blocks), starting at
     * value {@code first}, into {@code dst[off..]} as float32.
     */
    public void readFloats(GgufTensor t, long first, float[] dst, int off, int count) {
        GgmlType type = t.type();
        if (first % type.blockSize() != 0 || count % type.blockSize() != 0) {
            throw new IllegalArgumentException(t.name() + ": values " + first + "+" + count + " are not whole blocks");
        }
        int chunkBlocks = Math.max(1, (1 << 20) / type.blockBytes());
        byte[] raw = new byte[(int) Math.min((long) chunkBlocks * type.blockBytes(), type.bytes(count))];
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, chunkBlocks * type.blockSize());
            int bytes = (int) type.bytes(n);
            read(t, type.bytes(first + done), raw, 0, bytes);
            BlockDecoder.decode(type, raw, 0, dst, off + done, n);
            done += n;
        }
    }

    /** A whole (small) tensor as float32, refusing one whose element count differs from {@code expected}. */
    public float[] floats(String name, long expected) {
        GgufTensor t = tensor(name);
        if (t.elements() != expected) {
            throw new ModelFormatException(
                    path,
                    "tensor '" + name + "' has " + t.elements() + " values " + Arrays.toString(t.shape())
                            + " but the config implies " + expected);
        }
        float[] v = new float[(int) expected];
        readFloats(t, 0, v, 0, v.length);
        return v;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Closing a read-only channel has nothing to flush.
        }
    }
}
