package io.llamastream.engine.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.api.awt.AWTSequenceEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoFrameSamplerTest {
    static final int[] COLOURS = {
        0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0x00FFFF, 0xFF00FF, 0xFFFFFF, 0x000000, 0x808080, 0xFF8000
    };
    final ImagePreprocessor tile56 = new ImagePreprocessor(56, 16);

    /** The red channel of a tile's centre pixel, back in 0..255. */
    static int centreRed(PreprocessedImage p) {
        int s = p.tileSize();
        return Math.round((p.pixelValues()[(s / 2) * s + s / 2] + 1f) * 127.5f);
    }

    static int centreBlue(PreprocessedImage p) {
        int s = p.tileSize();
        return Math.round((p.pixelValues()[2 * s * s + (s / 2) * s + s / 2] + 1f) * 127.5f);
    }

    @Test
    void evenIndicesAreSegmentCentres() {
        assertArrayEquals(new int[] {1, 5, 8}, VideoFrameSampler.evenIndices(10, 3));
        assertArrayEquals(new int[] {0, 1, 2}, VideoFrameSampler.evenIndices(3, 3));
    }

    @Test
    void pngFramesAreSampledEvenlyUpToMaxFrames() {
        List<byte[]> frames = new ArrayList<>();
        for (int c : COLOURS) {
            frames.add(TestImages.encode(TestImages.solid(40, 30, c), "png"));
        }
        VideoFrameSampler sampler = new VideoFrameSampler(new ImageDecoder(), tile56, 3, 100);
        List<PreprocessedImage> out = sampler.fromFrames(frames, 10);
        assertEquals(3, out.size());
        // frames 1, 5, 8: green, magenta, grey -> blue 0, 255, 128 (bf16 rounding of 128 is exact enough).
        assertEquals(0, centreBlue(out.get(0)));
        assertEquals(255, centreBlue(out.get(1)));
        assertEquals(128, centreBlue(out.get(2)));
        out.forEach(p -> assertEquals(1, p.tiles()));
        out.forEach(p -> assertEquals(56, p.tileSize()));
    }

    @Test
    void fpsCapLimitsFramesPerSecondOfVideo() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            frames.add(TestImages.encode(TestImages.solid(8, 8, COLOURS[i]), "png"));
        }
        // 10 frames at 5 fps = 2 s; at most 1 frame per second -> 2 frames.
        assertEquals(
                2,
                new VideoFrameSampler(new ImageDecoder(), tile56, 8, 1.0)
                        .fromFrames(frames, 5)
                        .size());
    }

    @Test
    void mp4FramesAreDecodedAndSampled(@TempDir Path tmp) throws Exception {
        Path mp4 = tmp.resolve("colours.mp4");
        AWTSequenceEncoder enc = AWTSequenceEncoder.createSequenceEncoder(mp4.toFile(), 4);
        int[] seq = {0xFF0000, 0xFF0000, 0x0000FF, 0x0000FF, 0xFF0000, 0xFF0000, 0x0000FF, 0x0000FF};
        for (int c : seq) {
            enc.encodeImage(TestImages.solid(64, 48, c));
        }
        enc.finish();
        // 8 frames at 4 fps = 2 s; cap 2 fps -> 4 samples at frames 1, 3, 5, 7: red, blue, red, blue.
        List<PreprocessedImage> out =
                new VideoFrameSampler(new ImageDecoder(), tile56, 8, 2.0).fromMp4(Files.readAllBytes(mp4));
        assertEquals(4, out.size());
        int[] reds = out.stream().mapToInt(VideoFrameSamplerTest::centreRed).toArray();
        int[] blues = out.stream().mapToInt(VideoFrameSamplerTest::centreBlue).toArray();
        for (int i = 0; i < 4; i++) {
            boolean red = i % 2 == 0;
            // H.264 is lossy and YUV 4:2:0: allow some colour error.
            assertEquals(red ? 255 : 0, reds[i], 40, "frame " + i + " red");
            assertEquals(red ? 0 : 255, blues[i], 40, "frame " + i + " blue");
        }
    }

    @Test
    void garbageVideoIsCorrupt() {
        ImageDecodeException e = assertThrows(
                ImageDecodeException.class,
                () -> new VideoFrameSampler(tile56).fromMp4(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
        assertEquals(ImageDecodeException.Reason.CORRUPT, e.reason());
    }
}
