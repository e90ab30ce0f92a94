package io.llamastream.engine.media;

/**
 * A decoded 8-bit RGB image, row-major and interleaved ({@code rgb[(y * width + x) * 3 + c]},
 * values 0..255 as unsigned bytes): the single pixel format the preprocessor accepts, so colour
 * conversion happens once, in {@link ImageDecoder}.
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image must be at least 1x1, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for " + width + "x"
                    + height + ", got " + rgb.length);
        }
    }

    /** Channel c (0 = R) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
