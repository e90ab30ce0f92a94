package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.math.Bf16;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loader's fast paths store exactly what the plain ones do: quantizing straight from bf16 bits
 * with vector code equals the scalar quantizer of the widened floats, and the bulk copy of GGUF
 * Q8_0/Q4_0 rows equals copying block by block. Compared weight by weight, bit for bit.
 */
class BulkQuantizeTest {

    /** Random bf16 rows, with blocks built to hit the edge cases: zeros, -0, exact halves (ties), repeated extremes. */
    static short[] bf16Rows(SplittableRandom rnd, int rows, int cols) {
        short[] w = new short[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = Bf16.fromFloat((float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(-8, 8))));
        }
        int blocks = w.length / 32;
        for (int b = 0; b < blocks; b++) {
            int o = b * 32;
            switch (b % 7) {
                case 1 -> java.util.Arrays.fill(w, o, o + 32, (short) 0);
                case 2 -> java.util.Arrays.fill(w, o, o + 32, Bf16.fromFloat(-0.0f));
                case 3 -> { // amax 127: scale 1, so k + 0.5 are exact ties for Q8
                    w[o] = Bf16.fromFloat(127f);
                    for (int k = 1; k < 32; k++) {
                        w[o + k] = Bf16.fromFloat((rnd.nextInt(-126, 126)) + 0.5f);
                    }
                }
                case 4 -> { // max -8: scale 1, ties for Q4, and +8 (same magnitude) after it
                    w[o + 3] = Bf16.fromFloat(-8f);
                    w[o + 20] = Bf16.fromFloat(8f);
                    for (int k = 0; k < 32; k++) {
                        if (k != 3 && k != 20) {
                            w[o + k] = Bf16.fromFloat(rnd.nextInt(-8, 8) + 0.5f);
                        }
                    }
                }
                case 5 -> { // the largest magnitude twice with opposite signs: the first one sets Q4's sign
                    w[o + 7] = Bf16.fromFloat(3f);
                    w[o + 9] = Bf16.fromFloat(-3f);
                }
                default -> {}
            }
        }
        return w;
    }

    static float[] widened(short[] bits) {
        float[] f = new float[bits.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = Bf16.toFloat(bits[i]);
        }
        return f;
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"4, 32", "7, 64", "33, 256", "9, 2048"})
    void q8FromBf16BitsEqualsTheScalarQuantizer(int rows, int cols) {
        short[] bits = bf16Rows(new SplittableRandom(rows * 7919L + cols), rows, cols);
        Q8Matrix scalar = Q8Matrix.quantize(widened(bits), rows, cols);
        Q8Matrix fast = new Q8Matrix(rows, cols);
        // Two calls at an offset, as the loader hands over row slices.
        int half = rows / 2;
        fast.setRowsBf16(0, bits, 0, half);
        short[] rest = new short[(rows - half) * cols + 5];
        System.arraycopy(bits, half * cols, rest, 5, (rows - half) * cols);
        fast.setRowsBf16(half, rest, 5, rows - half);
        assertSameWeights(rows, cols, scalar::get, fast::get);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"4, 32", "7, 64", "33, 256", "9, 2048"})
    void q4FromBf16BitsEqualsTheScalarQuantizer(int rows, int cols) {
        short[] bits = bf16Rows(new SplittableRandom(rows * 104729L + cols), rows, cols);
        Q4Matrix scalar = Q4Matrix.quantize(widened(bits), rows, cols);
        Q4Matrix fast = new Q4Matrix(rows, cols);
        fast.setRowsBf16(0, bits, 0, rows);
        assertSameWeights(rows, cols, scalar::get, fast::get);
    }

    /**
     * The {@code [rows, cols]} matrix stored input-major, as the stacked expert tensors are: value
     * (r, c) at {@code off + c * stride + r} of a slice wider than the matrix (other columns hold noise).
     */
    static short[] inputMajor(short[] rowMajor, int rows, int cols, int off, int stride) {
        short[] src = new short[off + cols * stride];
        java.util.Arrays.fill(src, Bf16.fromFloat(1e6f));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                src[off + c * stride + r] = rowMajor[r * cols + c];
            }
        }
        return src;
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"32, 32", "64, 96", "96, 256", "32, 2048"})
    void q8FromInputMajorBf16EqualsTheScalarQuantizerOfTheTranspose(int rows, int cols) {
        short[] bits = bf16Rows(new SplittableRandom(rows * 31L + cols), rows, cols);
        Q8Matrix scalar = Q8Matrix.quantize(widened(bits), rows, cols);
        Q8Matrix fast = new Q8Matrix(rows, cols);
        fast.setTransposedBf16(inputMajor(bits, rows, cols, 40, 2 * rows + 8), 40, 2 * rows + 8);
        assertSameWeights(rows, cols, scalar::get, fast::get);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"32, 32", "64, 96", "96, 256", "32, 2048"})
    void q4FromInputMajorBf16EqualsTheScalarQuantizerOfTheTranspose(int rows, int cols) {
        short[] bits = bf16Rows(new SplittableRandom(rows * 37L + cols), rows, cols);
        Q4Matrix scalar = Q4Matrix.quantize(widened(bits), rows, cols);
        Q4Matrix fast = new Q4Matrix(rows, cols);
        fast.setTransposedBf16(inputMajor(bits, rows, cols, 40, 2 * rows + 8), 40, 2 * rows + 8);
        assertSameWeights(rows, cols, scalar::get, fast::get);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"4, 32", "7, 96", "13, 512"})
    void ggufQ8_0RowsCopyEqualsBlockByBlock(int rows, int cols) {
        int blocks = cols / 32;
        byte[] raw = randomBlocks(new SplittableRandom(rows + cols), rows * blocks, 34);
        Q8Matrix byBlock = new Q8Matrix(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int o = (r * blocks + b) * 34;
                byBlock.setBlock(r, b, BlockDecoder.f16(raw, o), raw, o + 2);
            }
        }
        Q8Matrix bulk = new Q8Matrix(rows, cols);
        bulk.setRowsQ8_0(0, raw, 0, 2);
        bulk.setRowsQ8_0(2, raw, 2 * blocks * 34, rows - 2);
        assertSameWeights(rows, cols, byBlock::get, bulk::get);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"4, 32", "7, 96", "13, 512"})
    void ggufQ4_0RowsCopyEqualsBlockByBlock(int rows, int cols) {
        int blocks = cols / 32;
        byte[] raw = randomBlocks(new SplittableRandom(rows * 3L + cols), rows * blocks, 18);
        Q4Matrix byBlock = new Q4Matrix(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int o = (r * blocks + b) * 18;
                byBlock.setBlock(r, b, BlockDecoder.f16(raw, o), raw, o + 2);
            }
        }
        Q4Matrix bulk = new Q4Matrix(rows, cols);
        bulk.setRowsQ4_0(0, raw, 0, 1);
        bulk.setRowsQ4_0(1, raw, blocks * 18, rows - 1);
        assertSameWeights(rows, cols, byBlock::get, bulk::get);
    }

    /** Random blocks whose fp16 scale is finite (exponent below all ones). */
    static byte[] randomBlocks(SplittableRandom rnd, int blocks, int blockBytes) {
        byte[] raw = new byte[blocks * blockBytes];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) rnd.nextInt(256);
        }
        for (int b = 0; b < blocks; b++) {
            raw[b * blockBytes + 1] &= (byte) 0xBB; // clears an exponent bit: never Inf/NaN
        }
        return raw;
    }

    interface Weights {
        float get(int r, int c);
    }

    static void assertSameWeights(int rows, int cols, Weights expected, Weights actual) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(
                        Float.floatToRawIntBits(expected.get(r, c)),
                        Float.floatToRawIntBits(actual.get(r, c)),
                        "weight " + r + "," + c + ": " + expected.get(r, c) + " vs " + actual.get(r, c));
            }
        }
    }
}
