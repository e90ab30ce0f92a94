package io.llamastream.engine.media;

/**
 * The encoder's input for one image: {@code pixelValues} is {@code [tiles, 3, tileSize, tileSize]}
 * row-major, values in [-1, 1] rounded to bfloat16; tiles are the {@code rows x cols} grid in
 * row-major order followed, when there is more than one, by the global tile. {@code rows} and
 * {@code cols} are the reference's {@code aspect_ratios} and decide the prompt layout.
 */
public record PreprocessedImage(float[] pixelValues, int tiles, int rows, int cols, int tileSize) {
    public PreprocessedImage {
        long expected = (long) tiles * 3 * tileSize * tileSize;
        if (pixelValues.length != expected) {
            throw new IllegalArgumentException(
                    "pixelValues has " + pixelValues.length + " floats, expected " + expected);
        }
        int gridTiles = rows * cols;
        if (tiles != (gridTiles == 1 ? 1 : gridTiles + 1)) {
            throw new IllegalArgumentException(tiles + " tiles do not fit a " + rows + "x" + cols + " grid");
        }
    }
}
