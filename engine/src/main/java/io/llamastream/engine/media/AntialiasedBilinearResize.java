package io.llamastream.engine.media;

/**
 * Resizes an {@link RgbImage} the way PIL's {@code Image.resize(..., BILINEAR)} does, which is also
 * what torchvision's antialiased bilinear resize of uint8 images reproduces: a separable triangle
 * filter whose support widens by the downscale factor (so downscaling averages every source pixel
 * instead of sampling a few), weights normalised per output pixel and converted to 22-bit fixed
 * point, the horizontal pass first with its result rounded to uint8, then the vertical pass.
 */
public final class AntialiasedBilinearResize {
    /** PIL's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 22;

    private AntialiasedBilinearResize() {}

    public static RgbImage resize(RgbImage src, int outWidth, int outHeight) {
        if (outWidth < 1 || outHeight < 1) {
            throw new IllegalArgumentException("target size must be at least 1x1, got " + outWidth + "x" + outHeight);
        }
        RgbImage img = src;
        if (outWidth != img.width()) {
            img = horizontal(img, outWidth);
        }
        if (outHeight != img.height()) {
            img = vertical(img, outHeight);
        }
        return img;
    }

    /** Per output index: first input index, count, and fixed-point weights (ksize apart). */
    private record Coefficients(int[] first, int[] count, int[] weights, int ksize) {}

    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale; // bilinear (triangle) support is 1
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            // (int) truncates toward zero, as the C cast in PIL does.
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double w = triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0 ? k[x] / ww : k[x];
                double f = v * (1 << PRECISION_BITS);
                weights[xx * ksize + x] = (int) (v < 0 ? Math.ceil(-0.5 + f) : Math.floor(0.5 + f));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(first, count, weights, ksize);
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1 ? 1 - x : 0;
    }

    private static RgbImage horizontal(RgbImage in, int outW) {
        Coefficients c = coefficients(in.width(), outW);
        int h = in.height();
        int inW = in.width();
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * h * 3];
        for (int y = 0; y < h; y++) {
            int rowIn = y * inW * 3;
            int rowOut = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int kOff = xx * c.ksize();
                int x0 = c.first()[xx];
                int n = c.count()[xx];
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < n; x++) {
                    int w = c.weights()[kOff + x];
                    int p = rowIn + (x0 + x) * 3;
                    s0 += (src[p] & 0xFF) * w;
                    s1 += (src[p + 1] & 0xFF) * w;
                    s2 += (src[p + 2] & 0xFF) * w;
                }
                dst[rowOut + xx * 3] = clip8(s0);
                dst[rowOut + xx * 3 + 1] = clip8(s1);
                dst[rowOut + xx * 3 + 2] = clip8(s2);
            }
        }
        return new RgbImage(outW, h, dst);
    }

    private static RgbImage vertical(RgbImage in, int outH) {
        Coefficients c = coefficients(in.height(), outH);
        int w = in.width();
        int stride = w * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[outH * stride];
        for (int yy = 0; yy < outH; yy++) {
            int kOff = yy * c.ksize();
            int y0 = c.first()[yy];
            int n = c.count()[yy];
            for (int i = 0; i < stride; i++) {
                int s = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < n; y++) {
                    s += (src[(y0 + y) * stride + i] & 0xFF) * c.weights()[kOff + y];
                }
                dst[yy * stride + i] = clip8(s);
            }
        }
        return new RgbImage(w, outH, dst);
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
