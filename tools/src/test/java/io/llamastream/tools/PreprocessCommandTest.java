package io.llamastream.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.media.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PreprocessCommandTest {
    @Test
    void writesPixelValuesAndAspectRatios(@TempDir Path tmp) throws Exception {
        Path img = tmp.resolve("wide.png");
        Files.write(img, TestImages.encode(TestImages.noise(120, 50, 5), "png"));
        Path out = tmp.resolve("out.safetensors");
        int rc = new CommandLine(new PreprocessCommand())
                .execute("--image", img.toString(), "--out", out.toString(), "--tile-size", "56", "--max-patches", "4");
        assertEquals(0, rc);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            // 120x50 on 56-px tiles, <= 4 tiles: a 1x3 canvas (168x56) is the smallest that holds it.
            assertArrayEquals(new long[] {1, 3}, f.readLongs("aspect_ratios"));
            assertArrayEquals(new long[] {4, 3, 56, 56}, f.info("pixel_values").shape());
        }
    }

    @Test
    void unreadableImageExitsWithOne(@TempDir Path tmp) throws Exception {
        Path img = tmp.resolve("bad.png");
        Files.write(img, new byte[] {1, 2, 3});
        assertEquals(
                1,
                new CommandLine(new PreprocessCommand())
                        .execute(
                                "--image",
                                img.toString(),
                                "--out",
                                tmp.resolve("o").toString()));
    }
}
