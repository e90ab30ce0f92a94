package io.llamastream.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.TextModelConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The geometries are the published models': their parameter counts come out as Meta states them. */
class GeometryBenchTest {

    @Test
    void scoutHas109BParametersOfWhich17BActive() {
        long[] p = GeometryBench.parameters(GeometryBench.config("scout", 48));
        long embeddings = 202048L * 5120;
        // 109B total includes the vision tower (~1B); 17B active includes the embedding table.
        assertTrue(p[0] + embeddings > 107e9 && p[0] + embeddings < 109e9, "total " + p[0]);
        assertTrue(p[1] + embeddings > 16.5e9 && p[1] + embeddings < 17.5e9, "active " + p[1]);
    }

    @Test
    void maverickHas400BParametersOfWhich17BActive() {
        long[] p = GeometryBench.parameters(GeometryBench.config("maverick", 48));
        assertTrue(p[0] > 395e9 && p[0] < 402e9, "total " + p[0]);
        assertTrue(p[1] + 202048L * 5120 > 16.5e9 && p[1] + 202048L * 5120 < 17.5e9, "active " + p[1]);
    }

    @Test
    void maverickAlternatesDenseAndMoeLayersAndScoutIsMoeThroughout() {
        TextModelConfig m = GeometryBench.config("maverick", 4);
        assertEquals("[false, true, false, true]", Arrays.toString(m.moeLayers()));
        assertEquals(128, m.numExperts());
        TextModelConfig s = GeometryBench.config("scout", 4);
        assertEquals("[true, true, true, true]", Arrays.toString(s.moeLayers()));
        assertEquals("[true, true, true, false]", Arrays.toString(s.ropeLayers()));
    }
}
