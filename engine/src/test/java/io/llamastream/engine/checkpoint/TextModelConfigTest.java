package io.llamastream.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextModelConfigTest {
    @TempDir
    Path tmp;

    @Test
    void bothConfigDialectsDescribeTheSameModel() {
        Path dir = Fixtures.model("tiny-scout");
        TextModelConfig t5 = TextModelConfig.read(dir.resolve("config.json"));
        TextModelConfig t4 = TextModelConfig.read(dir.resolve("config.transformers4.json"));
        assertEquals(t5.rope(), t4.rope());
        assertEquals("llama3", t4.rope().type());
        assertEquals(16.0, t4.rope().factor());
        assertArrayEquals(t5.ropeLayers(), t4.ropeLayers());
        assertArrayEquals(t5.moeLayers(), t4.moeLayers());
        assertArrayEquals(new int[] {2049, 2055, 2056}, t4.eosTokenIds());
    }

    @Test
    void emptyNoRopeLayersMeansEveryFourthLayerIsNope() throws IOException {
        ObjectNode n = (ObjectNode) Fixtures.json(Fixtures.model("tiny-scout").resolve("config.json"));
        n.putArray("no_rope_layers");
        n.put("num_hidden_layers", 8);
        n.remove("moe_layers");
        n.put("interleave_moe_layer_step", 2);
        Path f = tmp.resolve("config.json");
        Files.writeString(f, new ObjectMapper().writeValueAsString(n));
        TextModelConfig c = TextModelConfig.read(f);
        assertArrayEquals(new boolean[] {true, true, true, false, true, true, true, false}, c.ropeLayers());
        assertArrayEquals(new boolean[] {false, true, false, true, false, true, false, true}, c.moeLayers());
    }

    @Test
    void numericTemperatureTuningIsTruthy() throws IOException {
        ObjectNode n = (ObjectNode) Fixtures.json(Fixtures.model("tiny-scout").resolve("config.json"));
        n.put("attn_temperature_tuning", 4);
        Path f = tmp.resolve("config.json");
        Files.writeString(f, new ObjectMapper().writeValueAsString(n));
        assertTrue(TextModelConfig.read(f).attnTemperatureTuning());
        n.put("attn_temperature_tuning", false);
        Files.writeString(f, new ObjectMapper().writeValueAsString(n));
        assertFalse(TextModelConfig.read(f).attnTemperatureTuning());
    }

    @Test
    void llama3ScalingWithEqualFactorsDividesLongWavelengthsOnly() {
        RopeScaling r = new RopeScaling("llama3", 500000, 16, 1, 1, 8192);
        double[] plain = RopeScaling.unscaled(500000).inverseFrequencies(16);
        double[] scaled = r.inverseFrequencies(16);
        for (int i = 0; i < plain.length; i++) {
            double wl = 2 * Math.PI / plain[i];
            assertEquals(wl < 8192 ? plain[i] : plain[i] / 16, scaled[i], 1e-18, "pair " + i);
        }
    }

    @Test
    void llama3ScalingBlendsTheMiddleBand() {
        RopeScaling r = new RopeScaling("llama3", 10000, 8, 1, 4, 64);
        double inv = RopeScaling.unscaled(10000).inverseFrequencies(8)[1];
        double wl = 2 * Math.PI / inv; // 20 pi: between 64/4 and 64/1
        assertTrue(wl > 16 && wl < 64);
        double s = (64 / wl - 1) / 3;
        assertEquals((1 - s) * inv / 8 + s * inv, r.inverseFrequencies(8)[1], 1e-15);
    }

    @Test
    void missingFieldIsNamedWithTheFile() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"llama4_text\", \"num_hidden_layers\": 2}");
        String m = assertThrows(ModelFormatException.class, () -> TextModelConfig.read(f))
                .getMessage();
        assertTrue(m.contains("config.json") && m.contains("'hidden_size'"), m);
    }

    @Test
    void unsupportedRopeTypeIsRejected() throws IOException {
        ObjectNode n = (ObjectNode) Fixtures.json(Fixtures.model("tiny-scout").resolve("config.json"));
        ((ObjectNode) n.get("rope_parameters")).put("rope_type", "yarn");
        Path f = tmp.resolve("config.json");
        Files.writeString(f, new ObjectMapper().writeValueAsString(n));
        assertTrue(assertThrows(ModelFormatException.class, () -> TextModelConfig.read(f))
                .getMessage()
                .contains("yarn"));
    }
}
