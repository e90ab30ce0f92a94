package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.engine.math.ComputePool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Q8_0 rows left in a file mapping hold and multiply the same weights as the same rows repacked onto the heap. */
class MappedQ8MatrixTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"4, 32", "13, 96", "37, 512"})
    void mappedRowsEqualTheRepackedMatrix(int rows, int cols) throws IOException {
        byte[] raw = BulkQuantizeTest.randomBlocks(new SplittableRandom(rows * 17L + cols), rows * cols / 32, 34);
        Path file = dir.resolve("q8_0.bin");
        // 3 bytes in front: the mapping starts where the tensor does, not at an aligned file offset.
        byte[] withLead = new byte[raw.length + 3];
        System.arraycopy(raw, 0, withLead, 3, raw.length);
        Files.write(file, withLead);
        Q8Matrix heap = new Q8Matrix(rows, cols);
        heap.setRowsQ8_0(0, raw, 0, rows);
        MappedQ8Matrix mapped;
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 3, raw.length);
            mapped = new MappedQ8Matrix(m, rows, cols);
        }
        BulkQuantizeTest.assertSameWeights(rows, cols, heap::get, mapped::get);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int tokens : new int[] {1, 3, 9}) {
            float[] x = QuantMatrixTest.random(rnd, tokens * cols);
            float[] expected = new float[tokens * rows];
            float[] actual = new float[tokens * rows];
            heap.multiply(x, tokens, expected, new ComputePool(1));
            mapped.multiply(x, tokens, actual, ComputePool.shared());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-3f * (1 + Math.abs(expected[i])), tokens + " tokens, " + i);
            }
        }
    }
}
