package io.llamastream.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchitectureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void modelTypeChoosesTheFamily() {
        assertEquals(
                Architecture.LLAMA3,
                Architecture.ofConfig(JSON.createObjectNode().put("model_type", "llama")));
        assertEquals(
                Architecture.LLAMA4,
                Architecture.ofConfig(JSON.createObjectNode().put("model_type", "llama4_text")));
        assertEquals(
                Architecture.LLAMA4,
                Architecture.ofConfig(JSON.createObjectNode().put("model_type", "llama4")));
    }

    @Test
    void architecturesDecideWhenModelTypeIsAbsent() {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("LlamaForCausalLM");
        assertEquals(Architecture.LLAMA3, Architecture.ofConfig(n));
    }

    @Test
    void ggufArchitectureNamesMapToTheFamilies() {
        assertEquals(Architecture.LLAMA3, Architecture.ofGguf("llama"));
        assertEquals(Architecture.LLAMA4, Architecture.ofGguf("llama4"));
        String m = assertThrows(IllegalArgumentException.class, () -> Architecture.ofGguf("qwen2"))
                .getMessage();
        assertTrue(m.contains("'qwen2'") && m.contains("llama4") && m.contains("llama ="), m);
    }

    @Test
    void anUnsupportedArchitectureWithoutModelTypeIsNamed() {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("MistralForCausalLM");
        String m = assertThrows(IllegalArgumentException.class, () -> Architecture.ofConfig(n))
                .getMessage();
        assertTrue(
                m.contains("'MistralForCausalLM'") && m.contains("LlamaForCausalLM") && m.contains("Llama4ForCausalLM"),
                m);
    }

    @Test
    void anUnsupportedModelTypeIsRefusedAtLoadNamingItAndTheSupportedFamilies() throws IOException {
        Path src = Fixtures.llama3("llama3-tiny");
        for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(src.resolve(f), tmp.resolve(f));
        }
        ObjectNode config = (ObjectNode) Fixtures.json(src.resolve("config.json"));
        config.put("model_type", "mistral");
        config.putArray("architectures").add("MistralForCausalLM");
        Files.writeString(tmp.resolve("config.json"), JSON.writeValueAsString(config));
        String m = assertThrows(ModelFormatException.class, () -> Llama4Model.load(tmp))
                .getMessage();
        assertTrue(m.contains("config.json") && m.contains("model_type 'mistral' is not supported"), m);
        assertTrue(m.contains("llama4_text") && m.contains("Llama 4") && m.contains("llama = Llama 3.x"), m);
    }
}
