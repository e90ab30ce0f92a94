package io.llamastream.engine.checkpoint.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Q4_1, Q5_0 and Q5_1 blocks (which the Q4_K_M / Q5_K_M mixes may contain) decode as ggml's
 * {@code dequantize_row_q4_1/q5_0/q5_1} define them. The blocks are built here byte by byte from
 * chosen quant values following ggml's {@code block_q4_1} ({@code d, m, qs[16]}),
 * {@code block_q5_0} ({@code d, qh[4], qs[16]}) and {@code block_q5_1} ({@code d, m, qh[4],
 * qs[16]}) layouts: value j in the low nibble of {@code qs[j]}, value j + 16 in its high nibble,
 * and for the 5-bit types the fifth bit of value i in bit i of the little-endian {@code qh}. The
 * expected floats are {@code q * d + m} (Q4_1, Q5_1) and {@code (q - 16) * d} (Q5_0), with scales
 * that are exact in fp16, so they are compared exactly.
 */
class LegacyQuantBlockTest {
    /** fp16 bits of 0.5, -1.25 and 0.125: exact in float, so the expected values are exact. */
    private static final short HALF = 0x3800;

    private static final short MINUS_1_25 = (short) 0xBD00;
    private static final short EIGHTH = 0x3000;

    private static void putHalf(byte[] b, int o, short h) {
        b[o] = (byte) h;
        b[o + 1] = (byte) (h >> 8);
    }

    /** qs: value j low nibble, value j + 16 high nibble. */
    private static void putNibbles(byte[] b, int o, int[] q) {
        for (int j = 0; j < 16; j++) {
            b[o + j] = (byte) ((q[j] & 0x0F) | (q[j + 16] & 0x0F) << 4);
        }
    }

    /** qh: the fifth bit of value i at bit i, little-endian. */
    private static void putHighBits(byte[] b, int o, int[] q) {
        int qh = 0;
        for (int i = 0; i < 32; i++) {
            qh |= (q[i] >> 4 & 1) << i;
        }
        b[o] = (byte) qh;
        b[o + 1] = (byte) (qh >> 8);
        b[o + 2] = (byte) (qh >> 16);
        b[o + 3] = (byte) (qh >> 24);
    }

    private static int[] values(long seed, int bound) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] q = new int[32];
        for (int i = 0; i < 32; i++) {
            q[i] = rnd.nextInt(bound);
        }
        q[0] = 0;
        q[31] = bound - 1;
        return q;
    }

    private static float[] decode(GgmlType type, byte[] block) {
        float[] y = new float[32];
        BlockDecoder.decode(type, block, 0, y, 0, 32);
        return y;
    }

    @Test
    void q4_1IsScaleTimesNibblePlusMin() {
        int[] q = values(41, 16);
        byte[] b = new byte[GgmlType.Q4_1.blockBytes()];
        putHalf(b, 0, HALF);
        putHalf(b, 2, MINUS_1_25);
        putNibbles(b, 4, q);
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = q[i] * 0.5f - 1.25f;
        }
        assertArrayEquals(expected, decode(GgmlType.Q4_1, b));
    }

    @Test
    void q5_0IsScaleTimesFiveBitsMinusSixteen() {
        int[] q = values(50, 32);
        byte[] b = new byte[GgmlType.Q5_0.blockBytes()];
        putHalf(b, 0, EIGHTH);
        putHighBits(b, 2, q);
        putNibbles(b, 6, q);
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = (q[i] - 16) * 0.125f;
        }
        assertArrayEquals(expected, decode(GgmlType.Q5_0, b));
    }

    @Test
    void q5_1IsScaleTimesFiveBitsPlusMin() {
        int[] q = values(51, 32);
        byte[] b = new byte[GgmlType.Q5_1.blockBytes()];
        putHalf(b, 0, HALF);
        putHalf(b, 2, MINUS_1_25);
        putHighBits(b, 4, q);
        putNibbles(b, 8, q);
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = q[i] * 0.5f - 1.25f;
        }
        assertArrayEquals(expected, decode(GgmlType.Q5_1, b));
    }

    /** One Q5_0 block written out by hand: the fifth bits of values 0 and 16 only, so they alone reach past 15. */
    @Test
    void aHandWrittenQ5_0Block() {
        byte[] b = new byte[22];
        putHalf(b, 0, (short) 0x3C00); // d = 1.0
        b[2] = 0x01; // qh bit 0: value 0 has its fifth bit
        b[4] = 0x01; // qh bit 16: value 16 has its fifth bit
        b[6] = 0x3F; // qs[0]: value 0 low nibble 15, value 16 low nibble 3
        b[7] = 0x21; // qs[1]: value 1 is 1, value 17 is 2
        float[] y = decode(GgmlType.Q5_0, b);
        assertEquals(15f, y[0]); // 0b11111 - 16
        assertEquals(3f, y[16]); // 0b10011 - 16
        assertEquals(-15f, y[1]); // 1 - 16
        assertEquals(-14f, y[17]); // 2 - 16
        assertEquals(-16f, y[2]); // all bits clear
    }
}
