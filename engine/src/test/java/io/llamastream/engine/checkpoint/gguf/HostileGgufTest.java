package io.llamastream.engine.checkpoint.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged or malicious GGUF files, made by patching a copy of a real one: each is refused with
 * a {@link ModelFormatException} naming the file and the problem, before any large allocation.
 */
class HostileGgufTest {
    private static final Path SOURCE = Fixtures.model("gguf-tiny").resolve("model-Q8_0.gguf");
    /** Header layout: magic (4), version (4), tensor count (8), kv count (8), then the first key. */
    private static final int TENSOR_COUNT = 8;

    private static final int KV_COUNT = 16;
    private static final int FIRST_KEY = 24;

    @TempDir
    Path dir;

    private byte[] original() throws IOException {
        return Files.readAllBytes(SOURCE);
    }

    private Path write(byte[] bytes) throws IOException {
        Path p = dir.resolve("hostile.gguf");
        Files.write(p, bytes);
        return p;
    }

    private static void putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    private static void putLong(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    /** Offset just after the string {@code s} (preceded by its u64 length) in the header. */
    private static int after(byte[] b, String s) {
        byte[] needle = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 8; i + needle.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + needle.length, needle, 0, needle.length)
                    && ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(i - 8) == needle.length) {
                return i + needle.length;
            }
        }
        throw new IllegalArgumentException(s);
    }

    private void assertRefused(byte[] bytes, String... fragments) throws IOException {
        Path p = write(bytes);
        ModelFormatException e =
                assertThrows(ModelFormatException.class, () -> GgufFile.open(p).close());
        assertMessage(e, p, fragments);
    }

    private static void assertMessage(Exception e, Path p, String... fragments) {
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void badMagicIsNotAGgufFile() throws IOException {
        byte[] b = original();
        b[0] = 'X';
        assertRefused(b, "not a GGUF file");
    }

    @Test
    void unsupportedVersionsAreRefused() throws IOException {
        for (int v : new int[] {1, 4, -1}) {
            byte[] b = original();
            putInt(b, 4, v);
            assertRefused(b, "GGUF version " + Integer.toUnsignedString(v));
        }
    }

    @Test
    void fileCutInsideTheHeaderIsTruncated() throws IOException {
        byte[] b = original();
        for (int len : new int[] {0, 3, 7, 20, FIRST_KEY + 5, 4000}) {
            assertRefused(Arrays.copyOf(b, len), "truncated");
        }
    }

    @Test
    void fileCutInsideTheTensorDataHasTensorsPastItsEnd() throws IOException {
        byte[] b = original();
        assertRefused(Arrays.copyOf(b, b.length - 100), "past the end of the file");
    }

    @Test
    void tensorOffsetPastTheEndIsRefused() throws IOException {
        byte[] b = original();
        int at = after(b, "blk.0.attn_k.weight");
        putLong(b, at + 4 + 2 * 8 + 4, 1L << 40);
        assertRefused(b, "blk.0.attn_k.weight", "past the end");
    }

    @Test
    void misalignedOffsetIsRefused() throws IOException {
        byte[] b = original();
        int at = after(b, "blk.0.attn_k.weight");
        int off = at + 4 + 2 * 8 + 4;
        putLong(b, off, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off) + 1);
        assertRefused(b, "blk.0.attn_k.weight", "alignment");
    }

    @Test
    void moreThanFourDimensionsAreRefused() throws IOException {
        byte[] b = original();
        putInt(b, after(b, "blk.0.attn_k.weight"), 5);
        assertRefused(b, "blk.0.attn_k.weight", "5 dimensions");
    }

    @Test
    void unknownTypeIdIsRefused() throws IOException {
        byte[] b = original();
        putInt(b, after(b, "blk.0.attn_k.weight") + 4 + 2 * 8, 4);
        assertRefused(b, "blk.0.attn_k.weight", "unknown ggml type id 4");
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefused() throws IOException {
        byte[] b = original();
        putLong(b, after(b, "blk.0.attn_k.weight") + 4, 250);
        assertRefused(b, "blk.0.attn_k.weight", "whole number of 32-value blocks");
    }

    @Test
    void hugeTensorCountIsRefusedWithoutAllocating() throws IOException {
        byte[] b = original();
        putLong(b, TENSOR_COUNT, 1L << 61);
        assertRefused(b, "tensor count");
    }

    @Test
    void hugeKeyValueCountIsRefused() throws IOException {
        byte[] b = original();
        putLong(b, KV_COUNT, -1L);
        assertRefused(b, "metadata key/value count");
    }

    @Test
    void hugeStringLengthIsRefused() throws IOException {
        byte[] b = original();
        putLong(b, FIRST_KEY, 1L << 40);
        assertRefused(b, "length of metadata key #0");
    }

    @Test
    void hugeArrayCountIsRefused() throws IOException {
        byte[] b = original();
        // key, then value type (array), element type (string), count
        putLong(b, after(b, "tokenizer.ggml.tokens") + 8, 1L << 59);
        assertRefused(b, "element count of 'tokenizer.ggml.tokens'");
    }

    @Test
    void aTensorOfAnUnsupportedTypeIsRefusedNamingTypeAndTensor() throws IOException {
        byte[] b = original();
        // Q8_0 [128, 256] -> IQ2_XXS of the same shape: smaller, so still inside the file.
        putInt(b, after(b, "blk.0.attn_k.weight") + 4 + 2 * 8, GgmlType.IQ2_XXS.id());
        Path p = write(b);
        ModelFormatException e =
                assertThrows(ModelFormatException.class, () -> Llama4Model.load(p, ComputePool.shared()));
        assertMessage(e, p, "blk.0.attn_k.weight", "IQ2_XXS", "not supported");
    }

    @Test
    void aShapeThatDisagreesWithTheConfigIsRefused() throws IOException {
        byte[] b = original();
        // attn_q [256, 256] declared as [128, 256]: fewer bytes, so the header is valid.
        putLong(b, after(b, "blk.0.attn_q.weight") + 4 + 8, 128);
        Path p = write(b);
        ModelFormatException e =
                assertThrows(ModelFormatException.class, () -> Llama4Model.load(p, ComputePool.shared()));
        assertMessage(e, p, "blk.0.attn_q.weight", "[128, 256]", "config implies [256, 256]");
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        byte[] b = original();
        int at = after(b, "blk.0.attn_q.weight");
        b[at - 8] = 'X';
        Path p = write(b);
        ModelFormatException e =
                assertThrows(ModelFormatException.class, () -> Llama4Model.load(p, ComputePool.shared()));
        assertMessage(e, p, "blk.0.attn_q.weight", "missing");
    }
}
