package io.llamastream.engine.vision;

/**
 * The vision tower's 2-D rotary embedding: in each head, the first quarter of the adjacent pairs
 * rotate by the patch's column (x + 1) and the second quarter by its row (y + 1), each with
 * frequencies {@code 1 / theta^(2j / (hd/2))}; the class row (last) is not rotated. Cos and sin
 * tables are precomputed in float32 as the reference does, once per encoder.
 */
public final class VisionRope2d {
    private final int rows; // g*g + 1 positions
    private final int pairs; // hd / 2
    private final float[] cos; // [rows, pairs]
    private final float[] sin;

    public VisionRope2d(int grid, int headDim, double theta) {
        this.rows = grid * grid + 1;
        this.pairs = headDim / 2;
        int fd = headDim / 2;
        int quarter = fd / 2;
        float[] base = new float[quarter];
        for (int j = 0; j < quarter; j++) {
            float exponent = (float) (2 * j) / fd;
            base[j] = 1f / (float) Math.pow((float) theta, exponent);
        }
        cos = new float[rows * pairs];
        sin = new float[rows * pairs];
        for (int p = 0; p < rows; p++) {
            boolean cls = p == rows - 1;
            int x = p % grid;
            int y = p / grid;
            for (int i = 0; i < pairs; i++) {
                float angle = cls ? 0f : i < quarter ? (x + 1) * base[i] : (y + 1) * base[i - quarter];
                cos[p * pairs + i] = (float) Math.cos(angle);
                sin[p * pairs + i] = (float) Math.sin(angle);
            }
        }
    }

    /**
     * Rotates one head of one tile in place: {@code head} is {@code [positions, headDim]}, row p at
     * position p.
     */
    public void applyHead(float[] head) {
        int hd = pairs * 2;
        for (int p = 0; p < rows; p++) {
            int off = p * hd;
            int tab = p * pairs;
            for (int i = 0; i < pairs; i++) {
                float re = head[off + 2 * i];
                float im = head[off + 2 * i + 1];
                float c = cos[tab + i];
                float s = sin[tab + i];
                head[off + 2 * i] = re * c - im * s;
                head[off + 2 * i + 1] = re * s + im * c;
            }
        }
    }
}
