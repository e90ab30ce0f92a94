package io.llamastream.engine.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.testing.PackageGraph;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The engine's layering, checked on its sources: one concept per package, no package cycles, and no
 * streaming framework anywhere in it. The engine runs the same inside Flink, in the CLI and in tests.
 */
class EngineArchitectureTest {
    private static final Path ENGINE_SOURCES = Path.of("src/main/java");
    private static final String ENGINE = "io.llamastream.engine";

    @Test
    void enginePackagesHaveNoCycles() {
        List<String> cycles = PackageGraph.read(ENGINE_SOURCES).cycles(ENGINE);
        assertTrue(cycles.isEmpty(), String.join("\n", cycles));
    }

    @Test
    void engineImportsNeitherFlinkNorKafka() {
        PackageGraph graph = PackageGraph.read(ENGINE_SOURCES);
        assertEquals(List.of(), graph.importsStartingWith("org.apache.flink"));
        assertEquals(List.of(), graph.importsStartingWith("org.apache.kafka"));
    }

    @Test
    void engineHasThePackagesOfItsConcepts() {
        Set<String> packages = PackageGraph.read(ENGINE_SOURCES).packages();
        for (String concept : List.of(
                "checkpoint",
                "weights",
                "model",
                "kv",
                "scheduler",
                "sampling",
                "math",
                "tokenizer",
                "vision",
                "media")) {
            assertTrue(packages.contains(ENGINE + "." + concept), "missing package " + concept + " in " + packages);
        }
    }

    @Test
    void aCycleIsReportedWithTheFilesThatCauseIt() {
        PackageGraph graph = new PackageGraph();
        graph.add("a/A.java", "package x.a;\nimport x.b.B;\n");
        graph.add("b/B.java", "package x.b;\nimport x.c.C;\n");
        graph.add("c/C.java", "package x.c;\nimport x.a.A;\nimport java.util.List;\n");
        graph.add("d/D.java", "package x.d;\nimport x.a.A;\n");
        assertEquals(
                List.of("cycle:\n  x.a -> x.b (a/A.java)\n  x.b -> x.c (b/B.java)\n  x.c -> x.a (c/C.java)"),
                graph.cycles("x."));
    }

    @Test
    void aStaticImportCountsAsAnEdge() {
        PackageGraph graph = new PackageGraph();
        graph.add("a/A.java", "package x.a;\nimport static x.b.B.f;\n");
        graph.add("b/B.java", "package x.b;\nimport x.a.A;\n");
        assertEquals(1, graph.cycles("x.").size());
    }
}
