package io.llamastream.engine.media;

import java.util.function.ToIntFunction;

/**
 * The token sequence one image expands to in the prompt (architecture doc "Prompt layout of one
 * image"): for a grid of more than one tile, each tile's {@code <|patch|>} run with
 * {@code <|tile_x_separator|>} between columns and {@code <|tile_y_separator|>} after every row,
 * then {@code <|image|>} and the global tile's run; a single tile is just {@code <|image|>} and its
 * run; all between {@code <|image_start|>} and {@code <|image_end|>}. Token ids are looked up by name
 * (from the tokenizer), never hard-coded. The {@code <|patch|>} positions receive, in order, the
 * projected rows of the tiles in encoder order.
 */
public final class ImagePromptLayout {
    public static final String IMAGE_START = "<|image_start|>";
    public static final String IMAGE_END = "<|image_end|>";
    public static final String IMAGE = "<|image|>";
    public static final String PATCH = "<|patch|>";
    public static final String TILE_X_SEPARATOR = "<|tile_x_separator|>";
    public static final String TILE_Y_SEPARATOR = "<|tile_y_separator|>";

    private final int imageStart;
    private final int imageEnd;
    private final int image;
    private final int patch;
    private final int tileX;
    private final int tileY;

    public ImagePromptLayout(ToIntFunction<String> tokenId) {
        this.imageStart = tokenId.applyAsInt(IMAGE_START);
        this.imageEnd = tokenId.applyAsInt(IMAGE_END);
        this.image = tokenId.applyAsInt(IMAGE);
        this.patch = tokenId.applyAsInt(PATCH);
        this.tileX = tokenId.applyAsInt(TILE_X_SEPARATOR);
        this.tileY = tokenId.applyAsInt(TILE_Y_SEPARATOR);
    }

    public int patchTokenId() {
        return patch;
    }

    /** The expansion of an image tiled {@code rows x cols} with {@code tokensPerTile} patches per tile. */
    public int[] expand(int rows, int cols, int tokensPerTile) {
        if (rows < 1 || cols < 1 || tokensPerTile < 1) {
            throw new IllegalArgumentException(
                    "rows, cols and tokensPerTile must be >= 1, got " + rows + ", " + cols + ", " + tokensPerTile);
        }
        int tiles = rows * cols;
        int length = tiles == 1
                ? 3 + tokensPerTile
                : 1 + tiles * tokensPerTile + rows * (cols - 1) + rows + 1 + tokensPerTile + 1;
        int[] out = new int[length];
        int i = 0;
        out[i++] = imageStart;
        if (tiles > 1) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    if (c > 0) {
                        out[i++] = tileX;
                    }
                    for (int p = 0; p < tokensPerTile; p++) {
                        out[i++] = patch;
                    }
                }
                out[i++] = tileY;
            }
        }
        out[i++] = image;
        for (int p = 0; p < tokensPerTile; p++) {
            out[i++] = patch;
        }
        out[i++] = imageEnd;
        return out;
    }
}
