package io.llamastream.engine.vision;

/**
 * The reference's {@code pixel_shuffle}: trades spatial resolution for channels so a g x g patch
 * grid of width C becomes (g r) x (g r) rows of width C / r^2 (r = 0.5: 4x fewer tokens, 4x wider).
 * Implemented literally as its reshapes and axis swaps in row-major order, because the order of
 * the output rows and channels is what the adapter's weights were trained on.
 */
public final class PixelShuffle {
    private PixelShuffle() {}

    /** One tile: {@code in} is {@code [g*g, c]} at {@code inOff}; writes {@code [(g r)^2, c / r^2]} at {@code outOff}. */
    public static void apply(float[] in, int inOff, int g, int c, double ratio, float[] out, int outOff) {
        int w2 = (int) Math.round(g * ratio); // width after the first view
        int c2 = (int) Math.round(c / ratio); // channels after the first view
        int h3 = (int) Math.round(g * ratio); // rows after the second view
        int c3 = (int) Math.round(c / (ratio * ratio));
        // view [g, w2, c2] -> permute(1, 0) -> [w2, g, c2]
        float[] a = new float[g * g * c];
        swapLeadingAxes(in, inOff, g, w2, c2, a);
        // view that buffer as [h3, w2, c3] -> permute(1, 0) -> [w2, h3, c3], then flatten.
        float[] b = new float[a.length];
        swapLeadingAxes(a, 0, h3, w2, c3, b);
        System.arraycopy(b, 0, out, outOff, b.length);
    }

    /** {@code dst[j][i][:] = src[i][j][:]} for src of shape {@code [d0, d1, d2]}. */
    private static void swapLeadingAxes(float[] src, int srcOff, int d0, int d1, int d2, float[] dst) {
        for (int i = 0; i < d0; i++) {
            for (int j = 0; j < d1; j++) {
                System.arraycopy(src, srcOff + (i * d1 + j) * d2, dst, (j * d0 + i) * d2, d2);
            }
        }
    }
}
