package io.llamastream.engine.media;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import io.llamastream.engine.media.ImageDecodeException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns the bytes of a PNG, JPEG, GIF (first frame), BMP or WebP file into an {@link RgbImage}.
 * The header's dimensions are read before any pixel is decoded, and images above the pixel limit
 * are refused, so a few hundred bytes claiming 100000x100000 cannot exhaust the heap. Colour is
 * converted as the reference's {@code do_convert_rgb} (PIL {@code convert("RGB")}) does: alpha is
 * dropped (not composited onto a background), palettes are looked up, grey is replicated, CMYK uses
 * PIL's naive formula. Every failure is an {@link ImageDecodeException} with a {@link Reason}.
 * Instances are immutable and thread-safe.
 */
public final class ImageDecoder {
    /** 50 megapixels: above a 6K photo, far below what would endanger a task manager's heap. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /** ImageIO format names we accept; the JDK also reads TIFF, which we deliberately do not offer. */
    private static final Set<String> SUPPORTED = Set.of("png", "jpeg", "gif", "bmp", "webp");

    private static final String SUPPORTED_TEXT = "PNG, JPEG, GIF, BMP or WebP";

    static {
        // Register the TwelveMonkeys readers explicitly: ImageIO's automatic plugin scan uses the
        // context class loader, which under Flink's user-code class loader may not see our jar.
        IIORegistry registry = IIORegistry.getDefaultInstance();
        registry.registerServiceProvider(new WebPImageReaderSpi());
        registry.registerServiceProvider(new JPEGImageReaderSpi());
        // No temp files for decoding untrusted input: everything stays in memory.
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Decodes one image (the first frame of an animated GIF or WebP) to RGB. */
    public RgbImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "the image is empty (0 bytes); send the file's contents");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = supportedReader(in, bytes.length);
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new ImageDecodeException(
                            Reason.CORRUPT, format + " header declares a " + w + "x" + h + " image");
                }
                if (w * h > maxPixels) {
                    throw new ImageDecodeException(
                            Reason.TOO_LARGE,
                            format + " image is " + w + "x" + h + " = " + (w * h) + " pixels, above the limit of "
                                    + maxPixels + "; downscale it before sending");
                }
                BufferedImage image = reader.read(0);
                // The JDK's JPEG decoder reports a cut-off file as a warning and fills the rest with
                // grey; an image that is partly invented must not reach the model.
                for (String warning : warnings) {
                    if (looksTruncated(warning)) {
                        throw new ImageDecodeException(
                                Reason.TRUNCATED,
                                format + " data ends early (" + warning
                                        + "); the upload was probably cut off, send the complete file");
                    }
                }
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (isTruncation(e)) {
                throw new ImageDecodeException(
                        Reason.TRUNCATED,
                        "the image data ends early (" + e
                                + "); the upload was probably cut off, send the complete file",
                        e);
            }
            throw new ImageDecodeException(
                    Reason.CORRUPT, "the image data is malformed (" + e + "); re-encode it as " + SUPPORTED_TEXT, e);
        }
    }

    private static ImageReader supportedReader(ImageInputStream in, int length) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        String other = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String name = r.getFormatName().toLowerCase(Locale.ROOT);
            if (SUPPORTED.contains(name)) {
                return r;
            }
            other = name;
            r.dispose();
        }
        if (other != null) {
            throw new ImageDecodeException(
                    Reason.UNSUPPORTED_FORMAT,
                    "images in " + other.toUpperCase(Locale.ROOT) + " format are not accepted; convert to "
                            + SUPPORTED_TEXT);
        }
        throw new ImageDecodeException(
                Reason.UNSUPPORTED_FORMAT,
                "the " + length + " bytes are not a recognisable image; send " + SUPPORTED_TEXT);
    }

    private static boolean looksTruncated(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("truncat") || w.contains("end of file") || w.contains("eof");
    }

    private static boolean isTruncation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException || (t.getMessage() != null && looksTruncated(t.getMessage()))) {
                return true;
            }
        }
        return false;
    }

    /** Converts any decoded image to 8-bit RGB the way PIL's {@code convert("RGB")} does. */
    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorSpace cs = image.getColorModel().getColorSpace();
        Raster raster = image.getRaster();
        if (!(image.getColorModel() instanceof IndexColorModel) && cs.getType() == ColorSpace.TYPE_GRAY) {
            // Not getRGB: Java treats grey as linear and would gamma-brighten it; PIL copies L to R, G, B.
            int bits = raster.getSampleModel().getSampleSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = to8Bit(row[x], bits);
                    int o = (y * w + x) * 3;
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) v;
                }
            }
        } else if (cs.getType() == ColorSpace.TYPE_CMYK && raster.getNumBands() >= 4) {
            // PIL's cmyk2rgb, no colour management: R = (255 - C) * (255 - K) / 255.
            int[] px = new int[raster.getNumBands()];
            int bits = raster.getSampleModel().getSampleSize(0);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.getPixel(x, y, px);
                    int nk = 255 - to8Bit(px[3], bits);
                    int o = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        rgb[o + c] = (byte) clip8(nk - mulDiv255(to8Bit(px[c], bits), nk));
                    }
                }
            }
        } else {
            // RGB, RGBA, palette: getRGB yields straight (non-premultiplied) ARGB; dropping the
            // top byte is exactly "alpha is discarded".
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) (row[x] >> 16);
                    rgb[o + 1] = (byte) (row[x] >> 8);
                    rgb[o + 2] = (byte) row[x];
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }

    /** PIL's MULDIV255: round(a * b / 255) in integer arithmetic. */
    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
