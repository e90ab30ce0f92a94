package io.llamastream.engine.media;

import io.llamastream.engine.math.Bf16;

/**
 * Llama 4's image preprocessing (the reference's {@code Llama4ImageProcessor} with default
 * settings): choose a tile grid, resize without distortion (never blowing a small image up past
 * {@code max(side, tileSize)}) with antialiased bilinear, pad right and bottom with black, cut
 * into tiles row-major, append a whole-image global tile when there is more than one tile, map
 * 0..255 to [-1, 1] and round to bfloat16. Immutable and thread-safe.
 */
public final class ImagePreprocessor {
    public static final int DEFAULT_TILE_SIZE = 336;
    public static final int DEFAULT_MAX_PATCHES = 16;

    private final int tileSize;
    private final int maxPatches;

    public ImagePreprocessor() {
        this(DEFAULT_TILE_SIZE, DEFAULT_MAX_PATCHES);
    }

    public ImagePreprocessor(int tileSize, int maxPatches) {
        if (tileSize < 1 || maxPatches < 1) {
            throw new IllegalArgumentException(
                    "tileSize and maxPatches must be >= 1, got " + tileSize + ", " + maxPatches);
        }
        this.tileSize = tileSize;
        this.maxPatches = maxPatches;
    }

    public int tileSize() {
        return tileSize;
    }

    public PreprocessedImage preprocess(RgbImage image) {
        int h = image.height();
        int w = image.width();
        TileGrid grid = TileGrid.choose(h, w, tileSize, maxPatches);
        int canvasH = grid.rows() * tileSize;
        int canvasW = grid.cols() * tileSize;
        // Cap upscaling at max(side, tile): a 64x40 icon is padded, not magnified 5x.
        int limitH = Math.min(Math.max(h, tileSize), canvasH);
        int limitW = Math.min(Math.max(w, tileSize), canvasW);
        int[] size = sizeWithoutDistortion(h, w, limitH, limitW);
        RgbImage resized = AntialiasedBilinearResize.resize(image, size[1], size[0]);

        int gridTiles = grid.tiles();
        int tiles = gridTiles == 1 ? 1 : gridTiles + 1;
        int plane = tileSize * tileSize;
        float[] out = new float[tiles * 3 * plane];
        for (int ty = 0; ty < grid.rows(); ty++) {
            for (int tx = 0; tx < grid.cols(); tx++) {
                writeTile(resized, tx * tileSize, ty * tileSize, out, (ty * grid.cols() + tx) * 3 * plane);
            }
        }
        if (gridTiles > 1) {
            RgbImage global = AntialiasedBilinearResize.resize(image, tileSize, tileSize);
            writeTile(global, 0, 0, out, gridTiles * 3 * plane);
        }
        return new PreprocessedImage(out, tiles, grid.rows(), grid.cols(), tileSize);
    }

    /** Resizes any image to exactly one tile (distorting), as the global tile and video frames are. */
    public PreprocessedImage singleTile(RgbImage image) {
        RgbImage t = AntialiasedBilinearResize.resize(image, tileSize, tileSize);
        float[] out = new float[3 * tileSize * tileSize];
        writeTile(t, 0, 0, out, 0);
        return new PreprocessedImage(out, 1, 1, 1, tileSize);
    }

    /** The reference's get_max_res_without_distortion: {height, width}, each at least 1. */
    static int[] sizeWithoutDistortion(int h, int w, int targetH, int targetW) {
        double scaleW = (double) targetW / w;
        double scaleH = (double) targetH / h;
        int newH;
        int newW;
        if (scaleW < scaleH) {
            newW = targetW;
            newH = Math.min((int) Math.floor(h * scaleW), targetH);
        } else {
            newH = targetH;
            newW = Math.min((int) Math.floor(w * scaleH), targetW);
        }
        return new int[] {Math.max(newH, 1), Math.max(newW, 1)};
    }

    /**
     * Writes the tile whose top-left is (x0, y0) of {@code img} as normalised CHW floats; pixels
     * beyond the image are the black padding (0 before normalisation, so -1 after).
     */
    private void writeTile(RgbImage img, int x0, int y0, float[] out, int off) {
        int plane = tileSize * tileSize;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < tileSize; y++) {
                int sy = y0 + y;
                for (int x = 0; x < tileSize; x++) {
                    int sx = x0 + x;
                    int v = sx < img.width() && sy < img.height() ? img.sample(sx, sy, c) : 0;
                    out[off + c * plane + y * tileSize + x] = normalise(v);
                }
            }
        }
    }

    /**
     * v / 255 rounded to bfloat16, then (r - 0.5) / 0.5 rounded to bfloat16: the reference rescales
     * and normalises in bfloat16, and the golden pixel values match this order exactly for all 256
     * inputs (rounding once at the end differs in 128 of them by one bfloat16 step).
     */
    static float normalise(int v) {
        return NORMALISED[v];
    }

    private static final float[] NORMALISED = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            float rescaled = Bf16.round(v * (float) (1.0 / 255.0));
            NORMALISED[v] = Bf16.round((rescaled - 0.5f) / 0.5f);
        }
    }
}
