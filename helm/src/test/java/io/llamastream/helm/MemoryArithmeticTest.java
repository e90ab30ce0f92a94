package io.llamastream.helm;

import static io.llamastream.helm.Chart.mebibytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * process = model.sizeGi + engine.kvCacheGi + taskManager.frameworkHeapGi + taskManager.overheadGi (GiB),
 * the formula documented in values.yaml and docs/operations.md, of which all but the overhead is
 * Java heap: the engine keeps weights and KV cache as Java arrays.
 */
class MemoryArithmeticTest {

    static Chart.Rendered render(int modelGi, int kvGi, int heapGi, int overheadGi) {
        return Chart.render(Chart.sets(
                "model.sizeGi", modelGi,
                "engine.kvCacheGi", kvGi,
                "taskManager.frameworkHeapGi", heapGi,
                "taskManager.overheadGi", overheadGi));
    }

    @ParameterizedTest(name = "weights {0} + kv {1} + heap {2} + overhead {3} GiB")
    @CsvSource({"4, 2, 2, 1", "60, 16, 2, 1", "108, 24, 3, 2", "203, 32, 4, 3"})
    void processSizeIsWeightsPlusKvCachePlusHeapPlusOverhead(int modelGi, int kvGi, int heapGi, int overheadGi) {
        Chart.Rendered rendered = render(modelGi, kvGi, heapGi, overheadGi);
        long expectedMi = (long) (modelGi + kvGi + heapGi + overheadGi) * 1024;
        assertEquals(expectedMi, mebibytes(rendered.flinkConf("taskmanager.memory.process.size")));
    }

    @ParameterizedTest(name = "weights {0} + kv {1} + heap {2} + overhead {3} GiB")
    @CsvSource({"4, 2, 2, 1", "60, 16, 2, 1", "203, 32, 4, 3"})
    void containerMemoryRequestEqualsTheProcessSize(int modelGi, int kvGi, int heapGi, int overheadGi) {
        Chart.Rendered rendered = render(modelGi, kvGi, heapGi, overheadGi);
        JsonNode resource =
                rendered.flinkDeployment().path("spec").path("taskManager").path("resource");
        assertEquals(
                rendered.flinkConf("taskmanager.memory.process.size"),
                resource.path("memory").asText());
        // The operator turns resource.memory into the request, and request x limit-factor into the limit.
        assertEquals("1.0", rendered.flinkConf("kubernetes.taskmanager.memory.limit-factor"));
    }

    @ParameterizedTest(name = "weights {0} + kv {1} + heap {2} + overhead {3} GiB")
    @CsvSource({"4, 2, 2, 1", "60, 16, 2, 1", "108, 0, 8, 4"})
    void flinkMemoryComponentsAddUpExactlyToTheProcessSize(int modelGi, int kvGi, int heapGi, int overheadGi) {
        Chart.Rendered r = render(modelGi, kvGi, heapGi, overheadGi);
        List<String> components = List.of(
                "taskmanager.memory.framework.heap.size",
                "taskmanager.memory.task.heap.size",
                "taskmanager.memory.framework.off-heap.size",
                "taskmanager.memory.task.off-heap.size",
                "taskmanager.memory.managed.size",
                "taskmanager.memory.network.max",
                "taskmanager.memory.jvm-metaspace.size",
                "taskmanager.memory.jvm-overhead.max");
        long sum = components.stream()
                .mapToLong(key -> mebibytes(r.flinkConf(key)))
                .sum();
        assertEquals(mebibytes(r.flinkConf("taskmanager.memory.process.size")), sum);
        assertEquals(r.flinkConf("taskmanager.memory.network.min"), r.flinkConf("taskmanager.memory.network.max"));
        assertEquals(
                r.flinkConf("taskmanager.memory.jvm-overhead.min"), r.flinkConf("taskmanager.memory.jvm-overhead.max"));
    }

    @Test
    void weightsKvCacheAndWorkingHeapAreAllJavaHeap() {
        Chart.Rendered r = render(203, 32, 2, 1);
        long heapMi = mebibytes(r.flinkConf("taskmanager.memory.framework.heap.size"))
                + mebibytes(r.flinkConf("taskmanager.memory.task.heap.size"));
        assertEquals((203 + 32 + 2) * 1024, heapMi);
        assertEquals("0m", r.flinkConf("taskmanager.memory.managed.size"));
    }

    @Test
    void nothingOfTheEngineIsTaskOffHeapMemory() {
        Chart.Rendered r = render(60, 16, 2, 1);
        assertEquals(0, mebibytes(r.flinkConf("taskmanager.memory.task.off-heap.size")));
    }

    @Test
    void kvCacheBytesInTheJobConfigIsTheKvBudget() {
        Chart.Rendered r = render(60, 16, 2, 1);
        assertEquals(
                16L * 1024 * 1024 * 1024,
                r.jobConfig().at("/engine/kvCacheBytes").asLong());
    }
}
