package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad values fail at install time, naming the offending value. */
class ValuesRejectedTest {

    static void assertRejected(Map<String, Object> sets, String expectedInMessage) {
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> Chart.render(sets));
        assertTrue(
                error.getMessage().contains(expectedInMessage),
                () -> "expected \"" + expectedInMessage + "\" in: " + error.getMessage());
    }

    @ParameterizedTest(name = "{0}={1} violates the schema")
    @CsvSource(
            delimiter = '|',
            value = {
                "engine.weightFormat       | fp4                  | /engine/weightFormat",
                "job.upgradeMode           | sometimes            | /job/upgradeMode",
                "model.sizeGi              | 0                    | /model/sizeGi",
                "model.dir                 | models               | /model/dir",
                "taskManager.slots         | 0                    | /taskManager/slots",
                "taskManager.cpu           | 0                    | /taskManager/cpu",
                "kafka.bootstrapServers    | kafka                | /kafka/bootstrapServers",
                "kafka.saslPassword        | hunter2              | saslPassword",
                "flinkVersion              | 2.2                  | /flinkVersion",
                "jvm.options               | -Xmx1g               | /jvm/options",
                "state.baseUri             | bucket/flink         | /state/baseUri",
                "checkpoint.intervalMs     | 10                   | /checkpoint/intervalMs",
                "metrics.port              | 80                   | /metrics/port",
                "modelSize                 | 60                   | modelSize",
            })
    void schemaRejects(String key, String value, String expected) {
        Object typed = value.matches("-?\\d+") ? Integer.valueOf(value) : value;
        assertRejected(Chart.sets(key, typed), expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "both model sources       | model.objectStore.uri=s3://models/scout/  | exactly one of model.existingClaim",
                "no model source          | model.existingClaim=                      | exactly one of model.existingClaim",
                "parallelism > partitions | job.parallelism=4                         | exceeds topics.partitions",
                "stateful without storage | state.baseUri=                            | needs durable state",
                "too few task managers    | taskManager.replicas=1,job.parallelism=2,topics.partitions=2 | less than job.parallelism",
            })
    void chartRejects(String description, String sets, String expected) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String pair : sets.split(",")) {
            String[] kv = pair.split("=", 2);
            map.put(kv[0], kv[1].matches("\\d+") ? Integer.valueOf(kv[1]) : kv[1]);
        }
        assertRejected(map, expected);
    }
}
