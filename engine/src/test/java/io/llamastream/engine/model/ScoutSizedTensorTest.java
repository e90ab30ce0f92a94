package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.GgufWriter;
import io.llamastream.engine.weights.WeightFormat;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scout's real expert geometry (hidden 5120, 16 experts x 8192) in sparse files: Meta's fused
 * {@code gate_up_proj} [16, 5120, 16384] bf16 is 2.68 GB, one tensor over 2 GiB, and a GGUF
 * with the split experts puts later experts beyond 2 GiB and 4 GiB of the file. Values written
 * at those offsets must land in the right expert, row and column. Only expert 15 is loaded (the
 * loaders build every expert through the same method), so the test takes seconds.
 */
class ScoutSizedTensorTest {
    private static final int E = 16;
    private static final int H = 5120;
    private static final int I = 8192;
    private static final int X = 15;

    @TempDir
    Path dir;

    /** Column {@code c} of the matrix: multiplies by the one-hot vector e_c. */
    private static float[] column(Linear l, int c) {
        float[] x = new float[l.inFeatures()];
        x[c] = 1;
        float[] out = new float[l.outFeatures()];
        l.apply(x, 1, out, ComputePool.shared());
        return out;
    }

    /** Asserts the column holds exactly {@code value} at row {@code r} and zeros elsewhere. */
    private static void assertOnly(float[] col, int r, float value, String what) {
        assertEquals(value, col[r], what + " at row " + r);
        double rest = 0;
        for (int i = 0; i < col.length; i++) {
            rest += i == r ? 0 : Math.abs(col[i]);
        }
        assertEquals(0, rest, what + ": nothing else in the column");
    }

    private static byte[] bf16(float v) {
        int bits = Float.floatToIntBits(v) >>> 16;
        return new byte[] {(byte) bits, (byte) (bits >>> 8)};
    }

    private static void put(RandomAccessFile f, long at, byte[] b) throws IOException {
        f.seek(at);
        f.write(b);
    }

    /** BF16 keeps the bits; Q4 runs the transposing quantizer (band by band), exact for these values. */
    @ParameterizedTest
    @EnumSource(
            value = WeightFormat.class,
            names = {"BF16", "Q4"})
    void fusedSafetensorsExpertsOverTwoGibLandInTheRightRows(WeightFormat format) throws IOException {
        Path model = dir.resolve("scout-slice");
        Files.createDirectories(model);
        String gu = "model.layers.0.feed_forward.experts.gate_up_proj";
        String dn = "model.layers.0.feed_forward.experts.down_proj";
        long guBytes = 2L * E * H * 2 * I;
        long dnBytes = 2L * E * I * H;
        String header =
                "{\"" + gu + "\":{\"dtype\":\"BF16\",\"shape\":[" + E + "," + H + "," + 2 * I + "],\"data_offsets\":[0,"
                        + guBytes + "]},\"" + dn + "\":{\"dtype\":\"BF16\",\"shape\":[" + E + "," + I + "," + H
                        + "],\"data_offsets\":["
                        + guBytes + "," + (guBytes + dnBytes) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long data = 8 + h.length;
        try (RandomAccessFile f =
                new RandomAccessFile(model.resolve("model.safetensors").toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(h.length)
                    .array());
            f.write(h);
            f.setLength(data + guBytes + dnBytes);
            // gate_up_proj[x, h, j] is gate row j (j < I) or up row j - I, column h.
            long gateAt = data + 2 * (((long) X * H + 4097) * 2 * I + 8000);
            assertTrue(gateAt > (2L << 30), "beyond 2 GiB");
            put(f, gateAt, bf16(1.5f));
            put(f, data + 2 * (((long) X * H + 4097) * 2 * I + I + 123), bf16(-2.25f));
            put(f, data + 2 * (((long) (X - 1) * H + 4097) * 2 * I + 8000), bf16(7f));
            // down_proj[x, i, h] is down row h, column i.
            put(f, data + guBytes + 2 * (((long) X * I + 7000) * H + 5000), bf16(3f));
        }
        try (Checkpoint ck = Checkpoint.open(model)) {
            SwiGlu expert = new WeightLoader(ck, format, ComputePool.shared())
                    .expert("model.layers.0.feed_forward.", X, E, H, I);
            assertOnly(column(expert.gate(), 4097), 8000, 1.5f, "gate");
            assertOnly(column(expert.up(), 4097), 123, -2.25f, "up");
            assertOnly(column(expert.down(), 7000), 5000, 3f, "down");
        }
    }

    @Test
    void splitGgufExpertsBeyondTwoGibLandInTheRightRows() throws IOException {
        GgufWriter w = new GgufWriter().llama4(H, 1, 40, 8, E, I, 2 * I, 202048);
        long gate = w.tensor("blk.0.ffn_gate_exps.weight", GgmlType.F32, E, I, H);
        long up = w.tensor("blk.0.ffn_up_exps.weight", GgmlType.BF16, E, I, H);
        long down = w.tensor("blk.0.ffn_down_exps.weight", GgmlType.Q8_0, E, H, I);
        long gateAt = 4 * (((long) X * I + 8000) * H + 4097);
        assertTrue(gateAt > (2L << 30), "inside one F32 tensor of " + 4L * E * I * H + " bytes, beyond 2 GiB");
        w.put(
                gate + gateAt,
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(1.5f)
                        .array());
        w.put(
                gate + 4 * (((long) (X - 1) * I + 8000) * H + 4097),
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(7f)
                        .array());
        w.put(up + 2 * (((long) X * I + 123) * H + 4097), bf16(-2.25f));
        // Q8_0 row 5000 of expert 15, block 7000 / 32 = 218, value 24 of it: d = 1.0 (f16 0x3C00), q = 3.
        long q8 = down + 34L * (((long) X * H + 5000) * (I / 32) + 218);
        byte[] b = new byte[34];
        b[1] = 0x3C;
        b[2 + 24] = 3;
        w.put(q8, b);
        Path file = dir.resolve("scout-slice.gguf");
        long dataStart = w.write(file);
        assertTrue(dataStart + q8 > (4L << 30), "the Q8_0 block lies beyond 4 GiB of the file");
        try (GgufFile f = GgufFile.open(file)) {
            SwiGlu expert = new GgufDecoderWeights(f, WeightFormat.NATIVE, ComputePool.shared()).expert(0, X, E, H, I);
            assertOnly(column(expert.gate(), 4097), 8000, 1.5f, "gate (F32)");
            assertOnly(column(expert.up(), 4097), 123, -2.25f, "up (BF16)");
            assertOnly(column(expert.down(), 7000), 5000, 3f, "down (Q8_0)");
        }
    }
}
