package io.llamastream.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** Renders the chart with the real helm (bundled by helm-java) and parses what it prints. */
final class Chart {

    static final String RELEASE = "ls";
    static final String NAMESPACE = "inference";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Chart() {}

    static Path dir() {
        String configured = System.getProperty("llamastream.chart");
        Path path = configured != null ? Paths.get(configured) : Paths.get("llamastream");
        if (!Files.isRegularFile(path.resolve("Chart.yaml"))) {
            throw new IllegalStateException("No chart at " + path.toAbsolutePath());
        }
        return path;
    }

    static Path productionValues() {
        return dir().resolve("values-production.yaml");
    }

    static Helm helm() {
        return new Helm(dir());
    }

    /** helm template with --set pairs; throws IllegalStateException with helm's message on failure. */
    static Rendered render(Map<String, Object> sets) {
        return render(null, sets);
    }

    static Rendered render(Path valuesFile, Map<String, Object> sets) {
        TemplateCommand command = helm().template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        return Rendered.parse(command.call());
    }

    static Rendered renderDefaults() {
        return render(Map.of());
    }

    static Rendered renderProduction() {
        return render(productionValues(), Map.of());
    }

    static Map<String, Object> sets(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    /** The NOTES helm prints after an install, from a client-only dry run (no cluster needed). */
    static String notes(Path valuesFile) {
        var install = helm().install()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .clientOnly()
                .dryRun()
                .withDryRunOption(DryRun.CLIENT);
        if (valuesFile != null) {
            install = install.withValuesFile(valuesFile);
        }
        String output = install.call().getOutput();
        int notes = output.indexOf("NOTES:");
        if (notes < 0) {
            throw new IllegalStateException("no NOTES in the install output:\n" + output);
        }
        return output.substring(notes);
    }

    /** Parses a values file, for tests that compute expectations from the same values. */
    static JsonNode values(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The documents helm printed. */
    record Rendered(String text, List<JsonNode> documents) {

        static Rendered parse(String text) {
            List<JsonNode> documents = new ArrayList<>();
            try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(text)) {
                var iterator = YAML.readValues(parser, JsonNode.class);
                while (iterator.hasNext()) {
                    JsonNode node = iterator.next();
                    if (node != null && !node.isNull() && !node.isMissingNode()) {
                        documents.add(node);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("helm printed YAML that does not parse:\n" + text, e);
            }
            return new Rendered(text, documents);
        }

        List<JsonNode> ofKind(String kind) {
            return documents.stream()
                    .filter(d -> kind.equals(d.path("kind").asText()))
                    .toList();
        }

        JsonNode only(String kind) {
            List<JsonNode> found = ofKind(kind);
            if (found.size() != 1) {
                throw new NoSuchElementException("expected one " + kind + ", found " + found.size() + " in\n" + text);
            }
            return found.get(0);
        }

        JsonNode flinkDeployment() {
            return only("FlinkDeployment");
        }

        JsonNode flinkConfiguration() {
            return flinkDeployment().path("spec").path("flinkConfiguration");
        }

        String flinkConf(String key) {
            JsonNode value = flinkConfiguration().get(key);
            if (value == null) {
                throw new NoSuchElementException("flinkConfiguration has no " + key);
            }
            return value.asText();
        }

        /** The job's own config file, as the ConfigMap carries it. */
        JsonNode jobConfig() {
            String yaml =
                    only("ConfigMap").path("data").path("llamastream.yaml").asText();
            try {
                return YAML.readTree(yaml);
            } catch (IOException e) {
                throw new IllegalStateException("llamastream.yaml does not parse:\n" + yaml, e);
            }
        }

        JsonNode podSpec(String component) {
            return flinkDeployment()
                    .path("spec")
                    .path(component)
                    .path("podTemplate")
                    .path("spec");
        }

        JsonNode mainContainer(String component) {
            for (JsonNode container : podSpec(component).path("containers")) {
                if ("flink-main-container".equals(container.path("name").asText())) {
                    return container;
                }
            }
            throw new NoSuchElementException("no flink-main-container in " + component);
        }

        JsonNode volume(String component, String name) {
            for (JsonNode volume : podSpec(component).path("volumes")) {
                if (name.equals(volume.path("name").asText())) {
                    return volume;
                }
            }
            throw new NoSuchElementException("no volume " + name + " in " + component);
        }

        JsonNode mount(String component, String volumeName) {
            for (JsonNode mount : mainContainer(component).path("volumeMounts")) {
                if (volumeName.equals(mount.path("name").asText())) {
                    return mount;
                }
            }
            throw new NoSuchElementException("no mount of " + volumeName + " in " + component);
        }
    }

    /** Flink memory sizes as the chart writes them ("1234m"), in MiB. */
    static long mebibytes(String flinkSize) {
        if (!flinkSize.endsWith("m")) {
            throw new IllegalArgumentException("expected a size in m (MiB): " + flinkSize);
        }
        return Long.parseLong(flinkSize.substring(0, flinkSize.length() - 1));
    }
}
