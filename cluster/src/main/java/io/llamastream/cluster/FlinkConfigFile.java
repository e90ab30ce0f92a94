package io.llamastream.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes Flink's {@code config.yaml}: one flat {@code key: 'value'} line per option (Flink 2 reads
 * dotted keys at the top level as such), every value single-quoted so JVM option strings and
 * durations stay strings.
 */
final class FlinkConfigFile {

    private FlinkConfigFile() {}

    static void write(Path confDir, Map<String, String> options) {
        StringBuilder yaml = new StringBuilder("# Written by io.llamastream.cluster.StandaloneCluster\n");
        new TreeMap<>(options)
                .forEach((k, v) -> yaml.append(k)
                        .append(": '")
                        .append(v.replace("'", "''"))
                        .append("'\n"));
        try {
            Files.createDirectories(confDir);
            Files.writeString(confDir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + confDir.resolve("config.yaml"), e);
        }
    }
}
