package io.llamastream.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    private Path copyOf(String model) throws IOException {
        Path src = Fixtures.model(model);
        Path dst = tmp.resolve(model);
        Files.createDirectories(dst);
        try (var files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dst;
    }

    @Test
    void shardedAndSingleFileCheckpointsHoldTheSameTensors() {
        try (Checkpoint single = Checkpoint.open(Fixtures.model("tiny-scout"));
                Checkpoint sharded = Checkpoint.open(Fixtures.model("tiny-scout-sharded"))) {
            String name = "model.layers.2.feed_forward.experts.gate_up_proj";
            assertArrayEquals(single.floats(name, 4, 64, 192), sharded.floats(name, 4, 64, 192));
        }
    }

    @Test
    void multimodalCheckpointLoadsAsATextModel() {
        Path dir = Fixtures.model("tiny-vision");
        TextModelConfig c = TextModelConfig.read(dir.resolve("config.json"));
        assertTrue(c.multimodal());
        assertEquals(64, c.hiddenSize());
        try (Checkpoint ck = Checkpoint.open(dir)) {
            assertTrue(ck.contains("vision_model.patch_embedding.linear.weight"));
            TextModel m = TextModel.load(ck, c, -1, ComputePool.shared());
            assertEquals(2176, m.config().vocabSize());
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path dir = copyOf("tiny-scout-sharded");
        Files.delete(dir.resolve("model-00004-of-00006.safetensors"));
        String m = assertThrows(ModelFormatException.class, () -> Checkpoint.open(dir))
                .getMessage();
        assertTrue(m.contains("model-00004-of-00006.safetensors") && m.contains("missing"), m);
    }

    @Test
    void truncatedShardIsNamed() throws IOException {
        Path dir = copyOf("tiny-scout-sharded");
        Path shard = dir.resolve("model-00002-of-00006.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(bytes, bytes.length - 100));
        String m = assertThrows(ModelFormatException.class, () -> Checkpoint.open(dir))
                .getMessage();
        assertTrue(m.contains("model-00002-of-00006.safetensors") && m.contains("past the end"), m);
    }

    @Test
    void folderWithoutWeightsIsRejected() {
        String m = assertThrows(ModelFormatException.class, () -> Checkpoint.open(tmp))
                .getMessage();
        assertTrue(m.contains("no model.safetensors"), m);
    }

    @Test
    void configShapeMismatchNamesTheTensorAndFile() throws IOException {
        Path dir = copyOf("tiny-scout");
        String cfg = Files.readString(dir.resolve("config.json"))
                .replace("\"intermediate_size\": 96", "\"intermediate_size\": 80");
        Files.writeString(dir.resolve("config.json"), cfg);
        TextModelConfig c = TextModelConfig.read(dir.resolve("config.json"));
        try (Checkpoint ck = Checkpoint.open(dir)) {
            String m = assertThrows(ModelFormatException.class, () -> TextModel.load(ck, c, -1, ComputePool.shared()))
                    .getMessage();
            assertTrue(m.contains("model.safetensors") && m.contains("shape"), m);
        }
    }
}
