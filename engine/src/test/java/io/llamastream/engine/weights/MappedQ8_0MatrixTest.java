package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MappedQ8_0Matrix}: GGUF Q8_0 blocks computed in a file's mapping give, on every kernel
 * path and thread count, exactly the bits of a {@link Q8Matrix} holding the same blocks, and its
 * repack is that matrix.
 */
class MappedQ8_0MatrixTest {
    @TempDir
    Path dir;

    /**
     * {@code rows} rows of random Q8_0 blocks: scales of every fp16 class a quantizer writes
     * (normal, subnormal, zero, negative), values over the whole int8 range.
     */
    static byte[] randomBlocks(SplittableRandom rnd, int rows, int cols) {
        byte[] raw = new byte[rows * cols / 32 * 34];
        for (int o = 0; o < raw.length; o += 34) {
            int kind = rnd.nextInt(16);
            int bits =
                    kind == 0 ? 0 : kind == 1 ? rnd.nextInt(1, 0x400) : (rnd.nextInt(4, 14) << 10) | rnd.nextInt(0x400);
            bits |= rnd.nextInt(8) == 0 ? 0x8000 : 0;
            raw[o] = (byte) bits;
            raw[o + 1] = (byte) (bits >>> 8);
            for (int k = 0; k < 32; k++) {
                raw[o + 2 + k] = (byte) rnd.nextInt(256);
            }
        }
        return raw;
    }

    /** The blocks written to a file and mapped, as the GGUF loader maps a tensor. */
    ByteBuffer mapped(byte[] raw) throws IOException {
        Path file = dir.resolve("blocks.bin");
        Files.write(file, raw);
        try (FileChannel ch = FileChannel.open(file)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, raw.length);
        }
    }

    static Q8Matrix copied(byte[] raw, int rows, int cols) {
        Q8Matrix m = new Q8Matrix(rows, cols);
        m.setRowsQ8_0(0, raw, 0, rows);
        return m;
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"1, 32", "3, 64", "53, 256", "203, 512"})
    void everyKernelPathGivesTheBitsOfTheSameBlocksInAQ8Matrix(int rows, int cols) throws IOException {
        SplittableRandom rnd = new SplittableRandom(rows * 7919L + cols);
        byte[] raw = randomBlocks(rnd, rows, cols);
        WeightMatrix mapped = new MappedQ8_0Matrix(mapped(raw), rows, cols);
        WeightMatrix copied = copied(raw, rows, cols);
        int[] tokenCounts = IntStream.concat(IntStream.of(WeightMatrix.kernelPathTokens()), IntStream.of(2, 4, 5, 70))
                .toArray();
        for (int threads : new int[] {1, 2}) {
            try (ComputePool pool = new ComputePool(threads)) {
                for (int tokens : tokenCounts) {
                    float[] x = QuantMatrixTest.random(rnd, tokens * cols);
                    float[] expected = new float[tokens * rows];
                    copied.multiply(x, tokens, expected, pool);
                    float[] actual = new float[tokens * rows];
                    mapped.multiply(x, tokens, actual, pool);
                    LaneSumOrder.assertSameSums(expected, actual, tokens + " tokens on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void itsRepackHoldsTheSameWeightsAsCopyingTheBlocks() throws IOException {
        int rows = 37;
        int cols = 96;
        byte[] raw = randomBlocks(new SplittableRandom(3), rows, cols);
        // A scratch of two rows and a bit: slices of two rows, and a last slice of one.
        Q8Matrix repacked = new MappedQ8_0Matrix(mapped(raw), rows, cols).repack(new byte[2 * 102 + 50]);
        Q8Matrix copied = copied(raw, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(copied.get(r, c), repacked.get(r, c), "row " + r + " col " + c);
            }
        }
        assertEquals(copied.bytes(), repacked.bytes());
    }

    @Test
    void itsBytesAreTheFilesBlocks34PerThirtyTwoWeights() throws IOException {
        byte[] raw = randomBlocks(new SplittableRandom(5), 8, 64);
        MappedQ8_0Matrix m = new MappedQ8_0Matrix(mapped(raw), 8, 64);
        assertEquals(raw.length, m.bytes());
    }

    @Test
    void refusesBlocksThatAreNotExactlyItsRows() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new MappedQ8_0Matrix(ByteBuffer.allocate(34 * 2 * 4 + 1), 4, 64));
        assertEquals("a 4x64 Q8_0 matrix takes 272 bytes, not 273", e.getMessage());
    }
}
