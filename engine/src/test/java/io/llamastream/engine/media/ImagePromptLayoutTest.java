package io.llamastream.engine.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ImagePromptLayoutTest {
    static final int S = 1, E = 2, I = 3, P = 9, X = 5, Y = 6;
    static final Map<String, Integer> IDS = Map.of(
            "<|image_start|>",
            S,
            "<|image_end|>",
            E,
            "<|image|>",
            I,
            "<|patch|>",
            P,
            "<|tile_x_separator|>",
            X,
            "<|tile_y_separator|>",
            Y);
    final ImagePromptLayout layout = new ImagePromptLayout(IDS::get);

    @Test
    void singleTileIsImageThenPatchesWithoutSeparators() {
        assertArrayEquals(new int[] {S, I, P, P, E}, layout.expand(1, 1, 2));
    }

    @Test
    void oneByTwoSeparatesColumnsAndEndsRowThenGlobalTile() {
        assertArrayEquals(new int[] {S, P, P, X, P, P, Y, I, P, P, E}, layout.expand(1, 2, 2));
    }

    @Test
    void threeByOneEndsEveryRowWithYSeparator() {
        assertArrayEquals(new int[] {S, P, Y, P, Y, P, Y, I, P, E}, layout.expand(3, 1, 1));
    }

    @Test
    void threeByThreeHasXSeparatorsOnlyBetweenColumns() {
        assertArrayEquals(
                new int[] {S, P, X, P, X, P, Y, P, X, P, X, P, Y, P, X, P, X, P, Y, I, P, E}, layout.expand(3, 3, 1));
    }

    @Test
    void zeroTokensPerTileIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> layout.expand(1, 1, 0));
    }
}
