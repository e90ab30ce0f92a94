package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.Fp16;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WeightMapping}: on JDK 22 and later a Q8_0 matrix is read in place from the file and
 * computes what its blocks mean on every kernel path; before JDK 22, or when turned off, there is
 * no mapping and the reason says why. The build runs this class on both runtimes.
 */
class WeightMappingTest {
    private static final int BLOCK_BYTES = 34;
    /** Bytes before the matrix in the test file, not a multiple of anything the kernels align to. */
    private static final int LEAD = 101;

    @TempDir
    Path dir;

    private static boolean jdk22() {
        return Runtime.version().feature() >= 22;
    }

    /** {@code rows} rows of random Q8_0 blocks: fp16 scales of about 1e-3..1e-1, int8 values in [-127, 127]. */
    private static byte[] randomBlocks(SplittableRandom rnd, int rows, int cols) {
        byte[] raw = new byte[rows * (cols / 32) * BLOCK_BYTES];
        for (int o = 0; o < raw.length; o += BLOCK_BYTES) {
            // fp16 exponents 6..11 (2^-9..2^-4) with a random mantissa.
            int bits = (rnd.nextInt(6, 12) << 10) | rnd.nextInt(1024);
            raw[o] = (byte) bits;
            raw[o + 1] = (byte) (bits >> 8);
            for (int k = 2; k < BLOCK_BYTES; k++) {
                raw[o + k] = (byte) rnd.nextInt(-127, 128);
            }
        }
        return raw;
    }

    private Path file(byte[] raw) throws IOException {
        byte[] all = new byte[LEAD + raw.length + 7];
        System.arraycopy(raw, 0, all, LEAD, raw.length);
        return Files.write(dir.resolve("weights.bin"), all);
    }

    @Test
    void aMappedQ8_0MatrixComputesItsBlocksMeaningOnEveryKernelPath() throws IOException {
        assumeTrue(jdk22(), "mapped weights need JDK 22+");
        int rows = 45; // not a whole number of row groups or register tiles
        int cols = 160;
        SplittableRandom rnd = new SplittableRandom(22);
        byte[] raw = randomBlocks(rnd, rows, cols);
        WeightMatrix m = WeightMapping.open(file(raw)).orElseThrow().q8_0(LEAD, rows, cols);
        assertEquals("MappedQ8Matrix", m.kernelKind());
        assertEquals(raw.length, m.bytes());
        for (ComputePool pool : List.of(new ComputePool(1), new ComputePool(2))) {
            for (int tokens : new int[] {1, 3, 7, 8, 15, 16, 17, 33, 70}) {
                float[] x = new float[tokens * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextDouble(-1, 1);
                }
                float[] out = new float[tokens * rows];
                m.multiply(x, tokens, out, pool);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        double sum = 0;
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            int o = (r * (cols / 32) + c / 32) * BLOCK_BYTES;
                            float d = Fp16.toFloat((short) ((raw[o] & 0xFF) | (raw[o + 1] << 8)));
                            double w = (double) d * raw[o + 2 + c % 32];
                            sum += w * x[t * cols + c];
                            magnitude += Math.abs(w * x[t * cols + c]);
                        }
                        float got = out[t * rows + r];
                        assertTrue(
                                Math.abs(got - sum) <= 1e-5 * magnitude + 1e-7,
                                "row " + r + ", token " + t + " of " + tokens + ", " + pool.threads() + " threads: "
                                        + got + " against " + sum);
                    }
                }
            }
        }
    }

    @Test
    void aQ8_0MatrixRunningPastTheEndOfTheFileIsRefused() throws IOException {
        assumeTrue(jdk22(), "mapped weights need JDK 22+");
        Path f = file(randomBlocks(new SplittableRandom(1), 4, 64));
        WeightMapping mapping = WeightMapping.open(f).orElseThrow();
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> mapping.q8_0(LEAD, 5, 64));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void beforeJdk22ThereIsNoMappingAndTheReasonNamesTheRuntime() throws IOException {
        assumeTrue(!jdk22(), "this runtime maps weights");
        assertTrue(WeightMapping.open(file(new byte[BLOCK_BYTES])).isEmpty());
        String reason = WeightMapping.unavailableReason().orElseThrow();
        assertTrue(reason.contains("JDK " + Runtime.version().feature()), reason);
    }

    @Test
    void thePropertyTurnsMappingOff() throws IOException {
        System.setProperty(WeightMapping.PROPERTY, "false");
        try {
            assertTrue(WeightMapping.open(file(new byte[BLOCK_BYTES])).isEmpty());
            assertEquals(
                    "-D" + WeightMapping.PROPERTY + "=false",
                    WeightMapping.unavailableReason().orElseThrow());
        } finally {
            System.clearProperty(WeightMapping.PROPERTY);
        }
    }
}
