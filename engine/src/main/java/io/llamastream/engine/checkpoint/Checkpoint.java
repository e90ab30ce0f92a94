package io.llamastream.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a model folder, whether in one {@code model.safetensors} or in shards listed by
 * {@code model.safetensors.index.json}. Every shard is opened (and so validated) up front; a
 * tensor the index names but its shard lacks, or a missing shard, fails with the file's name.
 */
public final class Checkpoint implements AutoCloseable {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final Map<String, SafetensorsFile> byTensor;
    private final Map<Path, SafetensorsFile> files;

    private Checkpoint(Path dir, Map<String, SafetensorsFile> byTensor, Map<Path, SafetensorsFile> files) {
        this.dir = dir;
        this.byTensor = byTensor;
        this.files = files;
    }

    public static Checkpoint open(Path dir) {
        Path index = dir.resolve(INDEX);
        Path single = dir.resolve(SINGLE);
        if (Files.isRegularFile(index)) {
            return openSharded(dir, index);
        }
        if (Files.isRegularFile(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> byTensor = new HashMap<>();
            f.tensors().keySet().forEach(n -> byTensor.put(n, f));
            return new Checkpoint(dir, byTensor, Map.of(single, f));
        }
        throw new ModelFormatException(dir, "no " + SINGLE + " or " + INDEX + " in the model folder");
    }

    private static Checkpoint openSharded(Path dir, Path index) {
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(Files.readString(index)).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(index, "not valid JSON: " + e.getMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new ModelFormatException(index, "has no 'weight_map' object");
        }
        Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new HashMap<>();
        try {
            map.fields().forEachRemaining(e -> {
                Path shard = dir.resolve(e.getValue().asText());
                if (!shard.normalize().startsWith(dir.normalize())) {
                    throw new ModelFormatException(
                            index, "shard '" + e.getValue().asText() + "' points outside the model folder");
                }
                SafetensorsFile f = files.get(shard);
                if (f == null) {
                    if (!Files.isRegularFile(shard)) {
                        throw new ModelFormatException(shard, "shard listed in " + INDEX + " is missing");
                    }
                    f = SafetensorsFile.open(shard);
                    files.put(shard, f);
                }
                if (!f.contains(e.getKey())) {
                    throw new ModelFormatException(
                            shard, "tensor '" + e.getKey() + "' listed in " + INDEX + " is not in this shard");
                }
                byTensor.put(e.getKey(), f);
            });
        } catch (RuntimeException e) {
            files.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new Checkpoint(dir, byTensor, files);
    }

    public Path dir() {
        return dir;
    }

    /** Every tensor's name, for planning memory before anything is read. */
    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(byTensor.keySet());
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The header entry of tensor {@code name}, refused unless its shape is the one the config implies. */
    public TensorInfo checkedInfo(String name, long... expectedShape) {
        SafetensorsFile f = file(name);
        TensorInfo t = f.info(name);
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new ModelFormatException(
                    f.path(),
                    "tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + " but the config implies "
                            + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** Reads a whole floating tensor as float32, checking its shape. */
    public float[] floats(String name, long... expectedShape) {
        checkedInfo(name, expectedShape);
        return file(name).readFloats(name);
    }

    /** The (open) file holding tensor {@code name}, for readers that take slices of it. */
    public SafetensorsFile fileOf(String name) {
        return file(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new ModelFormatException(dir, "tensor '" + name + "' is missing from the checkpoint");
        }
        return f;
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
