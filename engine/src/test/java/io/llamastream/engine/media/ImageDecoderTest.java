package io.llamastream.engine.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.media.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder();

    private static int[] px(RgbImage img, int x, int y) {
        return new int[] {img.sample(x, y, 0), img.sample(x, y, 1), img.sample(x, y, 2)};
    }

    @Test
    void pngRgbDecodesExactly() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(2, 1, 0x123456);
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertEquals(3, out.width());
        assertEquals(2, out.height());
        assertArrayEquals(new int[] {255, 0, 0}, px(out, 0, 0));
        assertArrayEquals(new int[] {0x12, 0x34, 0x56}, px(out, 2, 1));
    }

    @Test
    void pngAlphaIsDroppedNotComposited() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00C86432); // fully transparent (200, 100, 50)
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertArrayEquals(new int[] {200, 100, 50}, px(out, 0, 0));
    }

    @Test
    void grayscalePngIsReplicatedWithoutGammaChange() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 100);
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertArrayEquals(new int[] {100, 100, 100}, px(out, 0, 0));
    }

    @Test
    void paletteGifLooksUpColours() {
        byte[] r = {(byte) 10, (byte) 250};
        byte[] g = {(byte) 20, (byte) 128};
        byte[] b = {(byte) 30, (byte) 5};
        BufferedImage img =
                new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, g, b));
        img.getRaster().setSample(1, 0, 0, 1);
        RgbImage out = decoder.decode(TestImages.encode(img, "gif"));
        assertArrayEquals(new int[] {10, 20, 30}, px(out, 0, 0));
        assertArrayEquals(new int[] {250, 128, 5}, px(out, 1, 0));
    }

    @Test
    void bmpDecodesExactly() {
        RgbImage out = decoder.decode(TestImages.encode(TestImages.solid(4, 3, 0x4080C0), "bmp"));
        assertArrayEquals(new int[] {0x40, 0x80, 0xC0}, px(out, 3, 2));
    }

    @Test
    void jpegDecodesToNearbyColours() {
        RgbImage out = decoder.decode(TestImages.encode(TestImages.solid(16, 16, 0x4080C0), "jpeg"));
        int[] p = px(out, 8, 8);
        assertTrue(
                Math.abs(p[0] - 0x40) <= 3 && Math.abs(p[1] - 0x80) <= 3 && Math.abs(p[2] - 0xC0) <= 3,
                Arrays.toString(p));
    }

    @Test
    void webpLosslessAndLossyDecode() {
        // 1x1 WebP files (lossless VP8L and lossy VP8), as used by browser feature detection.
        byte[] lossless = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
        byte[] lossy = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");
        for (byte[] webp : new byte[][] {lossless, lossy}) {
            RgbImage out = decoder.decode(webp);
            assertEquals(1, out.width());
            assertEquals(1, out.height());
        }
    }

    @Test
    void emptyInputIsEmpty() {
        assertEquals(
                Reason.EMPTY,
                assertThrows(ImageDecodeException.class, () -> decoder.decode(new byte[0]))
                        .reason());
    }

    @Test
    void randomBytesAreUnsupportedFormat() {
        byte[] junk = new byte[512];
        new Random(1).nextBytes(junk);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(junk));
        assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("PNG, JPEG, GIF, BMP or WebP"), e.getMessage());
    }

    @Test
    void tiffIsRejectedAsUnsupportedEvenThoughTheJdkReadsIt() {
        ImageDecodeException e = assertThrows(
                ImageDecodeException.class, () -> decoder.decode(TestImages.encode(TestImages.solid(4, 4, 0), "tiff")));
        assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("TIF"), e.getMessage());
    }

    @Test
    void pngWithGarbageAfterTheSignatureIsCorrupt() {
        byte[] png = TestImages.encode(TestImages.noise(32, 32, 2), "png");
        byte[] bad = png.clone();
        for (int i = 8; i < bad.length; i++) {
            bad[i] = (byte) (i * 31);
        }
        assertEquals(
                Reason.CORRUPT,
                assertThrows(ImageDecodeException.class, () -> decoder.decode(bad))
                        .reason());
    }

    @Test
    void truncatedJpegIsTruncated() {
        byte[] jpeg = TestImages.encode(TestImages.noise(64, 64, 3), "jpeg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(cut));
        assertEquals(Reason.TRUNCATED, e.reason(), e.getMessage());
    }

    @Test
    void truncatedPngIsTruncated() {
        byte[] png = TestImages.encode(TestImages.noise(64, 64, 4), "png");
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        assertEquals(
                Reason.TRUNCATED,
                assertThrows(ImageDecodeException.class, () -> decoder.decode(cut))
                        .reason());
    }

    @Test
    void decompressionBombHeaderIsRejectedBeforeDecoding() {
        byte[] bomb = pngHeaderOnly(100_000, 100_000);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(bomb));
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() {
        byte[] png = TestImages.encode(TestImages.solid(10, 10, 0), "png");
        assertEquals(
                Reason.TOO_LARGE,
                assertThrows(ImageDecodeException.class, () -> new ImageDecoder(99).decode(png))
                        .reason());
        assertEquals(10, new ImageDecoder(100).decode(png).width());
    }

    /** PNG signature, a valid IHDR (correct CRC) claiming w x h RGB, one tiny IDAT, IEND. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(
                out,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(w)
                        .putInt(h)
                        .put((byte) 8)
                        .put((byte) 2)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
