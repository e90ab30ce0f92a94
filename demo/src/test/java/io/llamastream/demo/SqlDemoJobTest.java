package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.testing.Fixtures;
import io.llamastream.job.JobConfig;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The statements {@code demo --sql} prints and runs are valid Flink SQL that the planner accepts
 * as one job: a Kafka source, one llamastream model per task, ML_PREDICT per task, and one
 * exactly-once Kafka sink (planning contacts no broker and reads no weights).
 */
class SqlDemoJobTest {

    @Test
    void theDemosStatementsPlanAsOneJob() {
        JobConfig config = new JobConfig();
        config.modelDir = Fixtures.model("demo-tasks").toString();
        config.bootstrapServers = "localhost:9";
        List<String> statements = new SqlDemoJob(config).statements();
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        statements.subList(0, statements.size() - 1).forEach(tEnv::executeSql);
        String plan = tEnv.explainSql(statements.get(statements.size() - 1));
        assertTrue(plan.contains("ML_PREDICT") || plan.contains("MLPredict"), plan);
        assertEquals(
                5, statements.stream().filter(s -> s.startsWith("CREATE MODEL")).count());
        assertTrue(statements.stream().anyMatch(s -> s.contains("'sink.delivery-guarantee' = 'exactly-once'")));
    }
}
