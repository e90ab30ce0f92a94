package io.llamastream.operators.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.testing.PackageGraph;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operators' layering, checked on their sources: the task handlers, the grammar, the metrics and
 * the post-processing packages form no cycle with the operators around them, and the library never
 * reaches into the tools, the demo or the job that wires it.
 */
class OperatorsArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void operatorsPackagesHaveNoCycles() {
        List<String> cycles = PackageGraph.read(SOURCES).cycles("io.llamastream.operators");
        assertTrue(cycles.isEmpty(), String.join("\n", cycles));
    }

    @Test
    void operatorsImportNeitherTheJobNorTheToolsNorTheDemo() {
        PackageGraph graph = PackageGraph.read(SOURCES);
        assertEquals(List.of(), graph.importsStartingWith("io.llamastream.job"));
        assertEquals(List.of(), graph.importsStartingWith("io.llamastream.tools"));
        assertEquals(List.of(), graph.importsStartingWith("io.llamastream.demo"));
    }
}
