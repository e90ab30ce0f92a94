package io.llamastream.helm;

import static io.llamastream.helm.Chart.mebibytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProductionValuesTest {

  static Chart.Rendered rendered;
  static JsonNode values;

  @BeforeAll
  static void render() {
    rendered = Chart.renderProduction();
    values = Chart.values(Chart.productionValues());
  }

  @Test
  void rendersAFlinkDeploymentAConfigMapAndAPodMonitor() {
    List<String> kinds = rendered.documents().stream().map(d -> d.path("kind").asText()).sorted().toList();
    assertEquals(List.of("ConfigMap", "FlinkDeployment", "PodMonitor"), kinds);
  }

  @Test
  void runsScoutAtFourBits() {
    assertEquals("q4", rendered.jobConfig().at("/engine/weightFormat").asText());
    assertTrue(values.at("/model/objectStore/uri").asText().contains("scout"));
  }

  @Test
  void taskManagerMemoryFollowsTheFormulaFromTheValuesFile() {
    long gi = values.at("/model/sizeGi").asLong() + values.at("/engine/kvCacheGi").asLong()
        + values.at("/taskManager/frameworkHeapGi").asLong() + values.at("/taskManager/overheadGi").asLong();
    assertEquals(gi * 1024, mebibytes(rendered.flinkConf("taskmanager.memory.process.size")));
    assertEquals(rendered.flinkConf("taskmanager.memory.process.size"),
        rendered.flinkDeployment().at("/spec/taskManager/resource/memory").asText());
  }

  @Test
  void taskManagerMemoryHoldsScoutFourBitWeightsAndFitsA128GiBNode() {
    // 109e9 parameters at >= 4.5 bits each (4-bit values + bf16 group scales).
    long scoutQ4Mi = (long) Math.ceil(109e9 * 4.5 / 8 / (1024 * 1024));
    long taskOffHeapMi = mebibytes(rendered.flinkConf("taskmanager.memory.task.off-heap.size"));
    long kvMi = rendered.jobConfig().at("/engine/kvCacheBytes").asLong() / (1024 * 1024);
    assertTrue(taskOffHeapMi - kvMi >= scoutQ4Mi, "weights budget " + (taskOffHeapMi - kvMi) + " < " + scoutQ4Mi);
    assertTrue(kvMi >= 8 * 1024, "KV cache below 8 GiB");
    assertTrue(mebibytes(rendered.flinkConf("taskmanager.memory.process.size")) <= 112 * 1024,
        "leave a 128 GiB node room for the page cache and the kubelet");
  }

  @Test
  void kafkaSettingsComeFromTheSecretMountedAsAPropertiesFile() {
    String secret = values.at("/kafka/existingSecret").asText();
    for (String component : List.of("jobManager", "taskManager")) {
      assertEquals(secret, rendered.volume(component, "kafka-client").at("/secret/secretName").asText());
      JsonNode mount = rendered.mount(component, "kafka-client");
      assertEquals("/opt/llamastream/kafka", mount.path("mountPath").asText());
      assertTrue(mount.path("readOnly").asBoolean());
    }
    assertEquals("/opt/llamastream/kafka/client.properties",
        rendered.jobConfig().at("/kafka/propertiesFile").asText());
  }

  @Test
  void noSecretValueIsInlinedAnywhere() {
    assertTrue(rendered.ofKind("Secret").isEmpty());
    String text = rendered.text().toLowerCase(Locale.ROOT);
    for (String leak : List.of("sasl.jaas.config", "password", "security.protocol", "ssl.truststore.password",
        "aws_secret_access_key")) {
      assertFalse(text.contains(leak), leak + " appears in the rendered manifests");
    }
  }

  @Test
  void checkpointsSavepointsAndHaLiveInS3() {
    for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
        "high-availability.storageDir")) {
      assertTrue(rendered.flinkConf(key).startsWith("s3://"), key);
    }
    assertEquals("last-state", rendered.flinkDeployment().at("/spec/job/upgradeMode").asText());
  }

  @Test
  void initContainerCopiesTheModelIntoTheVolumeTheJobMountsReadOnly() {
    JsonNode init = rendered.podSpec("taskManager").path("initContainers").get(0);
    assertTrue(init.path("command").toString().contains(values.at("/model/objectStore/uri").asText()));
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
    assertEquals("registry-example-com",
        rendered.podSpec("taskManager").at("/imagePullSecrets/0/name").asText());
  }
}
