package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DefaultValuesRenderTest {

    static Chart.Rendered rendered;

    @BeforeAll
    static void render() {
        rendered = Chart.renderDefaults();
    }

    @Test
    void rendersExactlyAFlinkDeploymentAndAConfigMap() {
        List<String> kinds = rendered.documents().stream()
                .map(d -> d.path("kind").asText())
                .sorted()
                .toList();
        assertEquals(List.of("ConfigMap", "FlinkDeployment"), kinds);
        assertEquals(
                "flink.apache.org/v1beta1",
                rendered.flinkDeployment().path("apiVersion").asText());
    }

    @Test
    void jobRunsTheContractEntryClassWithTheConfigArgument() {
        JsonNode job = rendered.flinkDeployment().path("spec").path("job");
        assertEquals("io.llamastream.job.LlamastreamJob", job.path("entryClass").asText());
        assertEquals(
                "local:///opt/flink/usrlib/llamastream.jar", job.path("jarURI").asText());
        assertEquals(
                List.of("--config", "/opt/llamastream/conf/llamastream.yaml"),
                StreamSupport.stream(job.path("args").spliterator(), false)
                        .map(JsonNode::asText)
                        .toList());
        assertEquals(1, job.path("parallelism").asInt());
    }

    @Test
    void flinkVersionAndImageComeFromValues() {
        JsonNode spec = rendered.flinkDeployment().path("spec");
        assertEquals("v2_2", spec.path("flinkVersion").asText());
        assertEquals(
                "llamastream/llamastream:0.1.0-SNAPSHOT", spec.path("image").asText());
    }

    @Test
    void upgradeModeDefaultsToLastStateWithCheckpointSavepointAndKubernetesHa() {
        assertEquals(
                "last-state",
                rendered.flinkDeployment()
                        .path("spec")
                        .path("job")
                        .path("upgradeMode")
                        .asText());
        assertEquals("s3://llamastream/flink/checkpoints", rendered.flinkConf("execution.checkpointing.dir"));
        assertEquals("s3://llamastream/flink/savepoints", rendered.flinkConf("execution.checkpointing.savepoint-dir"));
        assertEquals("kubernetes", rendered.flinkConf("high-availability.type"));
        assertEquals("s3://llamastream/flink/ha", rendered.flinkConf("high-availability.storageDir"));
    }

    @Test
    void everyFlinkConfigurationValueIsAString() {
        rendered.flinkConfiguration()
                .fields()
                .forEachRemaining(
                        field -> assertTrue(field.getValue().isTextual(), field.getKey() + " is not a string"));
    }

    @Test
    void jvmOptionsAddTheVectorApiModule() {
        assertTrue(rendered.flinkConf("env.java.opts.all").startsWith("--add-modules jdk.incubator.vector"));
    }

    @Test
    void aSystemExitInTheJobsMainFailsTheJobInsteadOfStoppingTheJobManager() {
        assertEquals("THROW", rendered.flinkConf("cluster.intercept-user-system-exit"));
    }

    @Test
    void prometheusReporterListensOnTheNamedMetricsPort() {
        assertEquals(
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                rendered.flinkConf("metrics.reporter.prom.factory.class"));
        assertEquals("9249", rendered.flinkConf("metrics.reporter.prom.port"));
        for (String component : List.of("jobManager", "taskManager")) {
            JsonNode port = rendered.mainContainer(component).path("ports").get(0);
            assertEquals("metrics", port.path("name").asText());
            assertEquals(9249, port.path("containerPort").asInt());
        }
    }

    @Test
    void podMonitorIsAbsentUnlessEnabled() {
        assertTrue(rendered.ofKind("PodMonitor").isEmpty());
    }

    @Test
    void podMonitorScrapesTheMetricsPortOfThePodsItLabels() {
        Chart.Rendered withMonitor = Chart.render(Chart.sets("metrics.podMonitor.enabled", true));
        JsonNode monitor = withMonitor.only("PodMonitor");
        assertEquals(
                "metrics",
                monitor.path("spec")
                        .path("podMetricsEndpoints")
                        .get(0)
                        .path("port")
                        .asText());
        JsonNode podLabels = withMonitor
                .flinkDeployment()
                .path("spec")
                .path("taskManager")
                .path("podTemplate")
                .path("metadata")
                .path("labels");
        monitor.path("spec")
                .path("selector")
                .path("matchLabels")
                .fields()
                .forEachRemaining(label -> assertEquals(
                        label.getValue().asText(),
                        podLabels.path(label.getKey()).asText(),
                        label.getKey()));
    }

    @Test
    void modelClaimIsMountedReadOnlyOnTaskManagersOnly() {
        JsonNode volume = rendered.volume("taskManager", "model");
        assertEquals(
                "llamastream-models",
                volume.path("persistentVolumeClaim").path("claimName").asText());
        assertTrue(volume.path("persistentVolumeClaim").path("readOnly").asBoolean());
        JsonNode mount = rendered.mount("taskManager", "model");
        assertEquals("/models/llama4", mount.path("mountPath").asText());
        assertTrue(mount.path("readOnly").asBoolean());
        assertFalse(rendered.podSpec("jobManager").path("volumes").toString().contains("\"model\""));
    }

    @Test
    void configMapIsMountedWhereTheJobReadsItsConfig() {
        for (String component : List.of("jobManager", "taskManager")) {
            assertEquals(
                    "ls-llamastream-config",
                    rendered.volume(component, "llamastream-config")
                            .path("configMap")
                            .path("name")
                            .asText());
            assertEquals(
                    "/opt/llamastream/conf",
                    rendered.mount(component, "llamastream-config")
                            .path("mountPath")
                            .asText());
        }
        assertEquals(
                "ls-llamastream-config",
                rendered.only("ConfigMap").path("metadata").path("name").asText());
    }

    @Test
    void jobConfigCarriesEveryContractKey() {
        JsonNode config = rendered.jobConfig();
        List<String> paths = List.of(
                "/model/dir",
                "/kafka/bootstrapServers",
                "/topics/requests",
                "/topics/results",
                "/topics/deadLetter",
                "/topics/partitions",
                "/batching/maxBatchSize",
                "/batching/maxWaitMs",
                "/batching/tokenBudget",
                "/engine/threads",
                "/engine/kvCacheBytes",
                "/engine/weightFormat",
                "/checkpoint/intervalMs");
        for (String path : paths) {
            assertFalse(config.at(path).isMissingNode(), "missing " + path + " in\n" + config);
        }
        assertEquals("/models/llama4", config.at("/model/dir").asText());
        assertEquals("q4", config.at("/engine/weightFormat").asText());
        assertEquals(4, config.at("/engine/threads").asInt(), "threads default to taskManager.cpu");
    }

    @Test
    void aGgufModelMayKeepItsOwnTypes() {
        Chart.Rendered gguf = Chart.render(Chart.sets("engine.weightFormat", "native"));
        assertEquals("native", gguf.jobConfig().at("/engine/weightFormat").asText());
    }

    @Test
    void plaintextKafkaHasNeitherPropertiesFileNorSecretMount() {
        assertTrue(rendered.jobConfig().at("/kafka/propertiesFile").isMissingNode());
        assertFalse(rendered.text().contains("kafka-client"));
    }

    @Test
    void tasksFileIsOmittedWithoutTasksAndPointsIntoTheConfigMapWithThem() {
        assertTrue(rendered.jobConfig().path("tasksFile").isMissingNode());
        Chart.Rendered withTasks = Chart.render(Chart.sets("tasks.summarize.maxNewTokens", 128));
        assertEquals(
                "/opt/llamastream/conf/tasks.yaml",
                withTasks.jobConfig().path("tasksFile").asText());
        assertTrue(withTasks
                .only("ConfigMap")
                .path("data")
                .path("tasks.yaml")
                .asText()
                .contains("maxNewTokens: 128"));
    }

    @Test
    void checkpointIntervalIsTheSameForTheJobAndFlink() {
        Chart.Rendered custom = Chart.render(Chart.sets("checkpoint.intervalMs", 30000));
        assertEquals(30000, custom.jobConfig().at("/checkpoint/intervalMs").asInt());
        assertEquals("30000ms", custom.flinkConf("execution.checkpointing.interval"));
    }

    @Test
    void configChangeChangesThePodTemplateSoTheOperatorRollsThePods() {
        String before = rendered.flinkDeployment()
                .at("/spec/taskManager/podTemplate/metadata/annotations")
                .toString();
        String after = Chart.render(Chart.sets("batching.maxBatchSize", 32))
                .flinkDeployment()
                .at("/spec/taskManager/podTemplate/metadata/annotations")
                .toString();
        assertFalse(before.equals(after));
    }

    @Test
    void extraFlinkConfigurationOverridesTheChartsOwn() {
        Chart.Rendered custom = Chart.render(Chart.sets("flinkConfiguration.state\\.backend\\.type", "rocksdb"));
        assertEquals("rocksdb", custom.flinkConf("state.backend.type"));
    }
}
