package io.llamastream.tools;

import io.llamastream.engine.checkpoint.SafetensorsWriter;
import io.llamastream.engine.media.ImageDecodeException;
import io.llamastream.engine.media.ImageDecoder;
import io.llamastream.engine.media.ImagePreprocessor;
import io.llamastream.engine.media.PreprocessedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code preprocess}: runs one image through the decoder and preprocessor and writes what the
 * encoder would receive, so preprocessing can be compared with the reference offline: F32
 * {@code pixel_values [tiles, 3, S, S]} and I32 {@code aspect_ratios [1, 2]} (tile rows, cols).
 */
@Command(
        name = "preprocess",
        mixinStandardHelpOptions = true,
        description =
                "Decode and tile an image as Llama 4's image processor does; write pixel_values and aspect_ratios as safetensors.")
public final class PreprocessCommand implements Callable<Integer> {
    @Option(names = "--image", required = true, paramLabel = "FILE", description = "PNG, JPEG, GIF, BMP or WebP image")
    Path image;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "safetensors file to write")
    Path out;

    @Option(
            names = "--max-patches",
            paramLabel = "N",
            description = "most tiles in the grid (default ${DEFAULT-VALUE})")
    int maxPatches = ImagePreprocessor.DEFAULT_MAX_PATCHES;

    @Option(names = "--tile-size", paramLabel = "N", description = "tile side in pixels (default ${DEFAULT-VALUE})")
    int tileSize = ImagePreprocessor.DEFAULT_TILE_SIZE;

    @Override
    public Integer call() throws Exception {
        PreprocessedImage p;
        try {
            p = new ImagePreprocessor(tileSize, maxPatches)
                    .preprocess(new ImageDecoder().decode(Files.readAllBytes(image)));
        } catch (ImageDecodeException e) {
            System.err.println("preprocess: " + image + ": " + e.getMessage() + " [" + e.reason() + "]");
            return 1;
        }
        new SafetensorsWriter()
                .addF32("pixel_values", new long[] {p.tiles(), 3, p.tileSize(), p.tileSize()}, p.pixelValues())
                .addI32("aspect_ratios", new long[] {1, 2}, new int[] {p.rows(), p.cols()})
                .write(out);
        System.out.println(image + ": " + p.rows() + "x" + p.cols() + " grid, " + p.tiles() + " tiles -> " + out);
        return 0;
    }
}
