package io.llamastream.engine.media;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canvas an image is tiled onto: {@code rows x cols} tiles (the reference's
 * {@code aspect_ratios}). {@link #choose} reproduces the reference's {@code get_best_fit} over
 * {@code find_supported_resolutions}, including its candidate order, which decides ties.
 */
public record TileGrid(int rows, int cols) {
    public TileGrid {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("tile grid must be at least 1x1, got " + rows + "x" + cols);
        }
    }

    public int tiles() {
        return rows * cols;
    }

    /** Every (rows, cols) with rows * cols <= maxTiles, in the reference's order. */
    static List<TileGrid> candidates(int maxTiles) {
        // Grouped by aspect ratio in first-seen order, counting tile totals down from maxTiles.
        Map<Double, List<TileGrid>> byRatio = new LinkedHashMap<>();
        for (int n = maxTiles; n >= 1; n--) {
            for (int f = 1; f <= n; f++) {
                if (n % f == 0) {
                    byRatio.computeIfAbsent((double) f / (n / f), k -> new ArrayList<>())
                            .add(new TileGrid(f, n / f));
                }
            }
        }
        List<TileGrid> all = new ArrayList<>();
        byRatio.values().forEach(all::addAll);
        return all;
    }

    /**
     * The grid for an image of {@code height x width}: the limiting scale of each canvas is
     * {@code min(Hc/H, Wc/W)}; the smallest scale >= 1 wins if any exists (least upscaling),
     * else the largest (least downscaling); equal scales go to the smallest canvas area.
     */
    public static TileGrid choose(int height, int width, int tileSize, int maxTiles) {
        List<TileGrid> all = candidates(maxTiles);
        float[] scales = new float[all.size()];
        for (int i = 0; i < scales.length; i++) {
            // float32, as the reference computes these with torch tensors; equality below relies on it.
            float sh = (float) (all.get(i).rows * tileSize) / height;
            float sw = (float) (all.get(i).cols * tileSize) / width;
            scales[i] = sh > sw ? sw : sh;
        }
        float best = Float.NaN;
        for (float s : scales) {
            if (s >= 1 && (Float.isNaN(best) || s < best)) {
                best = s;
            }
        }
        if (Float.isNaN(best)) {
            for (float s : scales) {
                if (Float.isNaN(best) || s > best) {
                    best = s;
                }
            }
        }
        TileGrid chosen = null;
        for (int i = 0; i < scales.length; i++) {
            if (scales[i] == best && (chosen == null || all.get(i).tiles() < chosen.tiles())) {
                chosen = all.get(i);
            }
        }
        return chosen;
    }
}
