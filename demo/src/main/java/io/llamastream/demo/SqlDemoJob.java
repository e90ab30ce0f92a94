package io.llamastream.demo;

import io.llamastream.job.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The demo's pipeline written in Flink SQL on a local MiniCluster: the requests topic as a raw
 * Kafka table, the event checks the DataStream job's validator makes first (NOT_JSON, MISSING_ID,
 * UNKNOWN_TASK, the first image's base64, images for this text-only model, a translation's target
 * language) as a {@code CASE}, one {@code CREATE MODEL} per task (a request's {@code params} become model options
 * in SQL), {@code ML_PREDICT} per task, and one exactly-once {@code INSERT} that routes each row
 * to the results or the dead-letter topic through the Kafka sink's {@code topic} metadata column,
 * writing the same JSON shapes as the DataStream job.
 */
final class SqlDemoJob {
    private final JobConfig config;
    private final List<String> ddl = new ArrayList<>();
    private final String insert;

    SqlDemoJob(JobConfig config) {
        this.config = config;
        String kafka = "'properties.bootstrap.servers' = '" + config.bootstrapServers + "'";
        ddl.add("CREATE TABLE requests (\n  payload STRING,\n  `topic` STRING METADATA VIRTUAL,\n"
                + "  `partition` INT METADATA VIRTUAL,\n  `offset` BIGINT METADATA VIRTUAL\n) WITH (\n"
                + "  'connector' = 'kafka', 'topic' = '" + config.requestsTopic + "', " + kafka + ",\n"
                + "  'properties.group.id' = 'llamastream-sql-demo', 'scan.startup.mode' = 'earliest-offset',\n"
                + "  'format' = 'raw')");
        ddl.add("CREATE TEMPORARY VIEW checked AS SELECT payload, ROW(`topic`, `partition`, `offset`) AS src,\n"
                + "  JSON_VALUE(payload, '$.id') AS id, JSON_VALUE(payload, '$.task') AS task,\n"
                + "  JSON_VALUE(payload, '$.text') AS body, JSON_VALUE(payload, '$.params.target_language') AS lang,\n"
                + "  CASE WHEN payload IS NOT JSON OBJECT THEN 'NOT_JSON'\n"
                + "       WHEN JSON_VALUE(payload, '$.id') IS NULL OR JSON_VALUE(payload, '$.id') = '' THEN 'MISSING_ID'\n"
                + "       WHEN COALESCE(JSON_VALUE(payload, '$.task'), '') NOT IN ('moderate', 'translate', 'classify', 'extract')\n"
                + "            THEN 'UNKNOWN_TASK'\n"
                + "       WHEN JSON_EXISTS(payload, '$.images') AND NOT REGEXP(COALESCE(JSON_VALUE(payload, "
                + "'$.images[0].base64'), ''),\n            '^[A-Za-z0-9+/\\s]+=*\\s*$') THEN 'BAD_BASE64'\n"
                + "       WHEN JSON_EXISTS(payload, '$.images') OR JSON_EXISTS(payload, '$.audio')\n"
                + "            OR JSON_EXISTS(payload, '$.video') THEN 'UNSUPPORTED_MODALITY'\n"
                + "       WHEN JSON_VALUE(payload, '$.task') = 'translate'\n"
                + "            AND COALESCE(JSON_VALUE(payload, '$.params.target_language'), '') NOT IN ('en', 'fr')\n"
                + "            THEN 'INVALID_FIELD'\n"
                + "  END AS rejected\nFROM requests");
        String engine = "'model.dir' = '" + config.modelDir + "',"
                + (config.weightFormat != null ? " 'weight-format' = '" + config.weightFormat + "'," : "") + "\n"
                + "  'engine.threads' = '" + config.engineThreads + "', 'engine.kv-cache-size' = '"
                + config.kvCacheBytes
                + " b', 'engine.prefix-cache-size' = '" + config.prefixCacheBytes + " b',\n"
                + "  'batching.max-batch-size' = '" + config.maxBatchSize + "', 'batching.max-wait' = '"
                + config.maxWaitMs + " ms', 'batching.token-budget' = '" + config.tokenBudget + "'";
        String errors = "prompt_tokens INT, completion_tokens INT, error_code STRING, error_message STRING";
        model(
                "moderator",
                "moderate",
                "",
                "safe BOOLEAN, categories ARRAY<STRING>, score DOUBLE, " + errors,
                engine,
                "");
        model("translator_en", "translate", "en", "text STRING, " + errors, engine, ", 'target-language' = 'en'");
        model("translator_fr", "translate", "fr", "text STRING, " + errors, engine, ", 'target-language' = 'fr'");
        model(
                "sentiment",
                "classify",
                "",
                "label STRING, probabilities MAP<STRING, DOUBLE>, " + errors,
                engine,
                ", 'labels' = 'positive;negative;neutral'");
        model(
                "extractor",
                "extract",
                "",
                "json STRING, " + errors,
                engine,
                ", 'schema' = '{\"type\": \"object\", \"properties\": "
                        + "{\"product\": {\"type\": \"string\"}, \"rating\": {\"type\": \"integer\"}}, "
                        + "\"required\": [\"product\", \"rating\"]}'");
        // Two topics listed: each row goes to the one its `topic` metadata column names.
        String sink =
                "  'connector' = 'kafka', 'topic' = '" + config.resultsTopic + ";" + config.deadLetterTopic + "',\n  "
                        + kafka + ", 'format' = 'json', 'json.encode.ignore-null-fields' = 'true',\n"
                        + "  'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'llamastream-sql-demo',\n"
                        + "  'properties.transaction.timeout.ms' = '" + config.transactionTimeoutMs + "'";
        ddl.add(
                "CREATE TABLE outputs (\n  `topic` STRING METADATA,\n  id STRING, task STRING, status STRING, output STRING,\n"
                        + "  usage ROW<prompt_tokens INT, cached_tokens INT, completion_tokens INT>, model STRING,\n"
                        + "  error_code STRING, message STRING, payload STRING, payload_truncated BOOLEAN,\n"
                        + "  source ROW<topic STRING, `partition` INT, `offset` BIGINT>\n) WITH (\n" + sink + ")");
        String config64 = "MAP['async', 'true', 'output-mode', 'allow_unordered', 'max-concurrent-operations', '"
                + 2 * config.maxBatchSize + "', 'timeout', '10 min']";
        List<String> answers = new ArrayList<>();
        answers.add(predict(
                "moderate",
                "moderator",
                "CASE WHEN safe THEN 'safe' ELSE 'unsafe' || CHR(10) || ARRAY_JOIN(categories, ',') END",
                config64));
        answers.add(predict("translate", "translator_en", "text", config64));
        answers.add(predict("translate", "translator_fr", "text", config64));
        answers.add(predict("classify", "sentiment", "label", config64));
        answers.add(predict("extract", "extractor", "json", config64));
        String model = Path.of(config.modelDir).getFileName().toString();
        insert = "INSERT INTO outputs\n"
                + "SELECT IF(error_code IS NULL, '" + config.resultsTopic + "', '" + config.deadLetterTopic
                + "'), id, task,\n"
                + "  IF(error_code IS NULL, 'ok', CAST(NULL AS STRING)), IF(error_code IS NULL, output, CAST(NULL AS STRING)),\n"
                + "  ROW(prompt_tokens, 0, completion_tokens),\n"
                + "  IF(error_code IS NULL, '" + model + "', CAST(NULL AS STRING)), error_code, error_message,\n"
                + "  IF(error_code IS NULL, CAST(NULL AS STRING), payload), IF(error_code IS NULL, CAST(NULL AS BOOLEAN), FALSE),\n"
                + "  CASE WHEN error_code IS NULL THEN NULL ELSE src END\n"
                + "FROM (\n" + String.join("\n  UNION ALL\n", answers) + ")\n"
                + "UNION ALL\n"
                + "SELECT '" + config.deadLetterTopic + "', id, task, CAST(NULL AS STRING), CAST(NULL AS STRING),\n"
                + "  ROW(CAST(NULL AS INT), CAST(NULL AS INT), CAST(NULL AS INT)), CAST(NULL AS STRING), rejected,\n"
                + "  'rejected before ML_PREDICT: ' || rejected, payload, FALSE, src\n"
                + "FROM checked WHERE rejected IS NOT NULL";
    }

    /** A model of the task and its view of the checked rows ({@code lang} non-empty for a translation). */
    private void model(String name, String task, String lang, String output, String engine, String taskOptions) {
        ddl.add("CREATE MODEL " + name + "\n  INPUT (input_text STRING)\n  OUTPUT (" + output + ")\nWITH (\n"
                + "  'provider' = 'llamastream', 'task' = '" + task + "'" + taskOptions + ",\n  " + engine + ")");
        ddl.add("CREATE TEMPORARY VIEW " + name
                + "_rows AS SELECT id, body AS input_text, payload, src FROM checked WHERE rejected IS NULL"
                + " AND task = '" + task + "'" + (lang.isEmpty() ? "" : " AND lang = '" + lang + "'"));
    }

    private static String predict(String task, String model, String output, String config) {
        return "  SELECT id, '" + task + "' AS task, " + output + " AS output, prompt_tokens, completion_tokens, "
                + "error_code, error_message, payload, src\n  FROM ML_PREDICT(TABLE " + model + "_rows, MODEL " + model
                + ", DESCRIPTOR(input_text), " + config + ")";
    }

    /** Every statement, in the order they run, for the demo to print. */
    List<String> statements() {
        List<String> all = new ArrayList<>(ddl);
        all.add(insert);
        return all;
    }

    /** Runs the statements on a local MiniCluster with checkpoints (so the exactly-once sink commits) and returns the job. */
    JobClient start(Map<String, String> flinkConfig) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "5");
        conf.setString("restart-strategy.fixed-delay.delay", "500 ms");
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(Math.max(1, config.parallelism)));
        conf.setString("rest.bind-port", "0");
        flinkConfig.forEach(conf::setString);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(config.checkpointIntervalMs));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(Math.max(1, config.parallelism), conf);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        ddl.forEach(tEnv::executeSql);
        StatementSet set = tEnv.createStatementSet();
        set.addInsertSql(insert);
        return set.execute().getJobClient().orElseThrow();
    }
}
