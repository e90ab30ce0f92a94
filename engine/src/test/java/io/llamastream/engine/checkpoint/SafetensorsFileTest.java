package io.llamastream.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.Fp16;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve("m.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static String messageOf(Path f) {
        return assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(f))
                .getMessage();
    }

    @Test
    void writtenTensorsReadBackExactly() throws IOException {
        Path f = dir.resolve("w.safetensors");
        new SafetensorsWriter()
                .addF32("logits", new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-8f, -7})
                .addI32("aspect_ratios", new long[] {1, 2}, new int[] {3, 1})
                .write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-8f, -7}, s.readFloats("logits"));
            assertArrayEquals(new long[] {3, 1}, s.readLongs("aspect_ratios"));
            assertArrayEquals(new long[] {2, 3}, s.info("logits").shape());
        }
    }

    @Test
    void bf16AndF16AreConvertedToFloat32() throws IOException {
        // bf16 0x3FC0 = 1.5; f16 0xC500 = -5.0
        byte[] data = {(byte) 0xC0, 0x3F, 0x00, (byte) 0xC5};
        Path f = raw(
                "{\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                        + "\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}",
                data);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(1.5f, s.readFloats("a")[0]);
            assertEquals(-5.0f, s.readFloats("b")[0]);
        }
    }

    @Test
    void halfPrecisionSubnormalsAndInfinityConvert() {
        assertEquals(0x1p-24f, Fp16.toFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, Fp16.toFloat((short) 0x7C00));
        assertEquals(65504f, Fp16.toFloat((short) 0x7BFF));
    }

    @Test
    void fileShorterThanTheLengthPrefixIsTruncated() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        String m = messageOf(f);
        assertTrue(m.contains("short.safetensors") && m.contains("truncated"), m);
    }

    @Test
    void headerLongerThanTheFileIsTruncated() throws IOException {
        Path f = dir.resolve("cut.safetensors");
        Files.write(
                f,
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(5000)
                        .array());
        assertTrue(messageOf(f).contains("truncated"));
    }

    @Test
    void absurdHeaderLengthIsRejectedWithoutAllocating() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        Files.write(
                f,
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(Long.MAX_VALUE / 2)
                        .array());
        assertTrue(messageOf(f).contains("not plausible"));
    }

    @Test
    void dataOffsetsPastTheEndAreRejected() throws IOException {
        String m = messageOf(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]));
        assertTrue(m.contains("'w'") && m.contains("past the end"), m);
    }

    @Test
    void shapeThatDisagreesWithTheByteRangeIsRejected() throws IOException {
        String m = messageOf(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(m.contains("needs 12 bytes"), m);
    }

    @Test
    void unknownDtypeIsRejected() throws IOException {
        String m = messageOf(raw("{\"w\":{\"dtype\":\"F8_E4M3X\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]));
        assertTrue(m.contains("unknown dtype 'F8_E4M3X'"), m);
    }

    @Test
    void headerThatIsNotJsonIsRejected() throws IOException {
        assertTrue(messageOf(raw("{not json", new byte[0])).contains("not valid JSON"));
    }

    @Test
    void overlappingTensorsAreRejected() throws IOException {
        String m = messageOf(raw(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]));
        assertTrue(m.contains("overlap"), m);
    }

    @Test
    void missingFileIsNamed() {
        String m = messageOf(dir.resolve("absent.safetensors"));
        assertTrue(m.contains("absent.safetensors") && m.contains("not found"), m);
    }

    @Test
    void readingAMissingTensorNamesIt() throws IOException {
        Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertTrue(assertThrows(ModelFormatException.class, () -> s.readFloats("b"))
                    .getMessage()
                    .contains("'b' is missing"));
        }
    }

    @Test
    void metadataIsExposed() throws IOException {
        Path f = raw(
                "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[4]);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals("pt", s.metadata().get("format"));
            assertEquals(Arrays.asList("a"), s.tensors().keySet().stream().toList());
        }
    }
}
