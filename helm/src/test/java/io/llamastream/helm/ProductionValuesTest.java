package io.llamastream.helm;

import static io.llamastream.helm.Chart.mebibytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.weights.HeapRounding;
import io.llamastream.engine.weights.MemoryPlan;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * values-production.yaml rendered by the real helm: Scout from its bf16 folder at 4 bits, with a JVM
 * that can hold it by the engine's own arithmetic ({@link Llama4Model#memoryPlan}: its {@code MemoryPlan} from Scout's
 * config.json).
 */
class ProductionValuesTest {
    /** Scout's published config.json (text and vision shapes), as a test resource. */
    static final Path SCOUT_CONFIG = Path.of("src/test/resources/scout/config.json");

    static final long SCOUT_PARAMETERS = 108_600_000_000L;
    static final long GIB = 1L << 30;
    /** Heap Flink itself and the job's own objects need beside the engine. */
    static final long FLINK_HEAP = 1L << 30;

    static Chart.Rendered rendered;
    static JsonNode values;

    @BeforeAll
    static void render() {
        rendered = Chart.renderProduction();
        values = Chart.values(Chart.productionValues());
    }

    @Test
    void rendersAFlinkDeploymentAConfigMapAndAPodMonitor() {
        List<String> kinds = rendered.documents().stream()
                .map(d -> d.path("kind").asText())
                .sorted()
                .toList();
        assertEquals(List.of("ConfigMap", "FlinkDeployment", "PodMonitor"), kinds);
    }

    @Test
    void runsScoutsPublishedBf16FolderQuantizedToFourBitsAtLoad() {
        assertEquals("q4", rendered.jobConfig().at("/engine/weightFormat").asText());
        assertTrue(values.at("/model/objectStore/uri").asText().endsWith("/Llama-4-Scout-17B-16E-Instruct/"));
        // The bf16 files: about 2 bytes per parameter, and the emptyDir they are copied to holds them.
        long filesGi = values.at("/model/objectStore/diskGi").asLong();
        assertTrue(filesGi * GIB >= 2 * SCOUT_PARAMETERS, filesGi + " GiB for the bf16 files");
        assertEquals(
                (filesGi + 1) + "Gi",
                rendered.volume("taskManager", "model")
                        .at("/emptyDir/sizeLimit")
                        .asText());
    }

    @Test
    void taskManagerMemoryFollowsTheFormulaFromTheValuesFile() {
        long gi = values.at("/model/sizeGi").asLong()
                + values.at("/engine/kvCacheGi").asLong()
                + values.at("/taskManager/frameworkHeapGi").asLong()
                + values.at("/taskManager/overheadGi").asLong();
        assertEquals(gi * 1024, mebibytes(rendered.flinkConf("taskmanager.memory.process.size")));
        assertEquals(
                rendered.flinkConf("taskmanager.memory.process.size"),
                rendered.flinkDeployment()
                        .at("/spec/taskManager/resource/memory")
                        .asText());
    }

    @Test
    void modelSizeGiCoversTheHeapTheEngineFillsWithScoutsWeights() {
        long weightHeap = scoutPlan().weightHeapBytes(collector());
        assertTrue(
                values.at("/model/sizeGi").asLong() * GIB >= weightHeap,
                "model.sizeGi " + values.at("/model/sizeGi") + " GiB < " + weightHeap / (double) GIB + " GiB");
    }

    @Test
    void theJvmHeapHoldsScoutWhileItLoads() {
        // KV pages are allocated as requests arrive, so loading needs the weights and the plan's overhead
        // (the engine's allowance and every compute thread's conversion scratch), not the KV budget.
        long free = jvmHeapBytes() - scoutPlan().heapBytes(collector());
        assertTrue(free >= FLINK_HEAP, "heap left for Flink while loading: " + free / (double) GIB + " GiB");
    }

    @Test
    void theWorkingHeapHoldsFlinkThePrefixCacheAndTheLargerOfOneStepsActivationsAndTheLoadsOverhead() {
        long working = values.at("/taskManager/frameworkHeapGi").asLong() * GIB;
        long prefix = rendered.jobConfig().at("/engine/prefixCacheBytes").asLong();
        long need =
                FLINK_HEAP + prefix + Math.max(activationBytes(), scoutPlan().overheadBytes());
        assertTrue(working >= need, "working heap " + working / (double) GIB + " GiB < " + need / (double) GIB);
    }

    @Test
    void theJvmHeapHoldsScoutItsFullKvCacheAndPrefixCacheWithWorkingRoomToSpare() {
        long kv = rendered.jobConfig().at("/engine/kvCacheBytes").asLong();
        long prefix = rendered.jobConfig().at("/engine/prefixCacheBytes").asLong();
        assertTrue(kv >= 8 * GIB, "KV cache below 8 GiB");
        long free = jvmHeapBytes() - scoutPlan().weightHeapBytes(collector()) - kv - prefix;
        assertTrue(free >= FLINK_HEAP + activationBytes(), "working heap " + free / (double) GIB + " GiB");
    }

    /** One engine step's activations: tokenBudget rows of Scout's hidden and expert widths, float32. */
    static long activationBytes() {
        long tokens = rendered.jobConfig().at("/batching/tokenBudget").asLong();
        return tokens * (8L * 5120 + 4L * 8192) * Float.BYTES;
    }

    @Test
    void nothingIsPlannedOffHeapAndTheProcessFitsA128GiBNode() {
        assertEquals("0m", rendered.flinkConf("taskmanager.memory.task.off-heap.size"));
        assertTrue(
                mebibytes(rendered.flinkConf("taskmanager.memory.process.size")) <= 112 * 1024,
                "leave a 128 GiB node room for the kubelet and system daemons");
    }

    /** The JVM's -Xmx as Flink derives it: framework heap + task heap. */
    static long jvmHeapBytes() {
        return (mebibytes(rendered.flinkConf("taskmanager.memory.framework.heap.size"))
                        + mebibytes(rendered.flinkConf("taskmanager.memory.task.heap.size")))
                << 20;
    }

    /**
     * The collector the rendered JVM options select, as it places large arrays: ZGC when they say so,
     * else G1 with the regions it picks for the rendered heap.
     */
    static HeapRounding collector() {
        return rendered.flinkConf("env.java.opts.all").contains("-XX:+UseZGC")
                ? HeapRounding.z()
                : HeapRounding.g1ForHeap(jvmHeapBytes());
    }

    /** Scout in the rendered weight format on the rendered compute threads, no KV budget (it is added apart). */
    static MemoryPlan scoutPlan() {
        return Llama4Model.memoryPlan(
                SCOUT_CONFIG,
                WeightFormat.valueOf(
                        rendered.jobConfig().at("/engine/weightFormat").asText().toUpperCase(Locale.ROOT)),
                0,
                rendered.jobConfig().at("/engine/threads").asInt());
    }

    @Test
    void kafkaSettingsComeFromTheSecretMountedAsAPropertiesFile() {
        String secret = values.at("/kafka/existingSecret").asText();
        for (String component : List.of("jobManager", "taskManager")) {
            assertEquals(
                    secret,
                    rendered.volume(component, "kafka-client")
                            .at("/secret/secretName")
                            .asText());
            JsonNode mount = rendered.mount(component, "kafka-client");
            assertEquals("/opt/llamastream/kafka", mount.path("mountPath").asText());
            assertTrue(mount.path("readOnly").asBoolean());
        }
        assertEquals(
                "/opt/llamastream/kafka/client.properties",
                rendered.jobConfig().at("/kafka/propertiesFile").asText());
    }

    @Test
    void noSecretValueIsInlinedAnywhere() {
        assertTrue(rendered.ofKind("Secret").isEmpty());
        String text = rendered.text().toLowerCase(Locale.ROOT);
        for (String leak : List.of(
                "sasl.jaas.config",
                "password",
                "security.protocol",
                "ssl.truststore.password",
                "aws_secret_access_key")) {
            assertFalse(text.contains(leak), leak + " appears in the rendered manifests");
        }
    }

    @Test
    void checkpointsSavepointsAndHaLiveInS3() {
        for (String key : List.of(
                "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir",
                "high-availability.storageDir")) {
            assertTrue(rendered.flinkConf(key).startsWith("s3://"), key);
        }
        assertEquals(
                "last-state",
                rendered.flinkDeployment().at("/spec/job/upgradeMode").asText());
    }

    @Test
    void initContainerCopiesTheModelIntoTheVolumeTheJobMountsReadOnly() {
        JsonNode init = rendered.podSpec("taskManager").path("initContainers").get(0);
        assertTrue(init.path("command")
                .toString()
                .contains(values.at("/model/objectStore/uri").asText()));
        assertEquals("model", init.at("/volumeMounts/0/name").asText());
        assertFalse(init.at("/volumeMounts/0/readOnly").asBoolean());
        assertTrue(rendered.volume("taskManager", "model").has("emptyDir"));
        assertTrue(rendered.mount("taskManager", "model").path("readOnly").asBoolean());
    }

    @Test
    void parallelismFitsTaskManagersAndPartitions() {
        JsonNode spec = rendered.flinkDeployment().path("spec");
        int parallelism = spec.at("/job/parallelism").asInt();
        int slots = Integer.parseInt(rendered.flinkConf("taskmanager.numberOfTaskSlots"));
        assertEquals(parallelism, spec.at("/taskManager/replicas").asInt() * slots);
        int partitions = rendered.jobConfig().at("/topics/partitions").asInt();
        assertEquals(0, partitions % parallelism, "partitions spread evenly over subtasks");
    }

    @Test
    void pullSecretsAreReferencedByName() {
        assertEquals(
                "registry-example-com",
                rendered.podSpec("taskManager").at("/imagePullSecrets/0/name").asText());
    }
}
