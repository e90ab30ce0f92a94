package io.llamastream.sql;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ModelDescriptor;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.ColumnList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model with a bad option, INPUT or OUTPUT is refused when {@code ML_PREDICT} is planned, with
 * an error that names the option or column; no weights are read for that.
 */
class ModelOptionValidationTest {
    static final String MODEL_DIR = Fixtures.model("demo-tasks").toString();
    static TableEnvironment tEnv;
    static int models;

    @BeforeAll
    static void environment() {
        tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TEMPORARY VIEW reviews AS SELECT * FROM (VALUES ('a fine lamp', 'a note')) AS v(text, note)");
    }

    static Map<String, String> options(String task, String... more) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("provider", "llamastream");
        o.put("model.dir", MODEL_DIR);
        o.put("task", task);
        for (int i = 0; i < more.length; i += 2) {
            if (more[i + 1] == null) {
                o.remove(more[i]);
            } else {
                o.put(more[i], more[i + 1]);
            }
        }
        return o;
    }

    /** Creates a model and plans ML_PREDICT over it. */
    static void plan(String input, String output, Map<String, String> options) {
        plan(input, output, options, "text");
    }

    static void plan(String input, String output, Map<String, String> options, String descriptor) {
        String name = "m" + (++models);
        String with = options.entrySet().stream()
                .map(e -> "'" + e.getKey() + "' = '" + e.getValue().replace("'", "''") + "'")
                .collect(Collectors.joining(", "));
        tEnv.executeSql("CREATE TEMPORARY MODEL " + name + " INPUT (" + input + ") OUTPUT (" + output + ") WITH ("
                + with + ")");
        tEnv.explainSql("SELECT * FROM ML_PREDICT(TABLE reviews, MODEL " + name + ", DESCRIPTOR(" + descriptor + "))");
    }

    static final String MODERATE_OUT =
            "safe BOOLEAN, categories ARRAY<STRING>, score DOUBLE, error_code STRING, error_message STRING";

    static Stream<Arguments> badOptions() {
        return Stream.of(
                Arguments.of(options("moderate", "max-token", "5"), "max-token"),
                Arguments.of(options("moderate", "model.dir", null), "model.dir"),
                Arguments.of(options("summarise"), "'task'"),
                Arguments.of(options("moderate", "max-tokens", "0"), "'max-tokens' must be at least 1"),
                Arguments.of(options("moderate", "max-tokens", "many"), "max-tokens"),
                Arguments.of(options("moderate", "temperature", "-0.5"), "'temperature'"),
                Arguments.of(options("moderate", "context-overflow", "drop"), "'context-overflow'"),
                Arguments.of(options("moderate", "weight-format", "q3"), "'weight-format'"),
                Arguments.of(options("moderate", "batching.max-batch-size", "0"), "'batching.max-batch-size'"),
                Arguments.of(options("moderate", "engine.kv-cache-size", "lots"), "engine.kv-cache-size"),
                Arguments.of(options("moderate", "deadline", "soon"), "deadline"),
                Arguments.of(options("moderate", "labels", "a;b"), "'labels' applies to classify tasks only"),
                Arguments.of(options("moderate", "tasks-file", "/nonexistent/tasks.yaml"), "'tasks-file'"));
    }

    @ParameterizedTest
    @MethodSource("badOptions")
    void aBadOptionIsRefusedNamingIt(Map<String, String> options, String named) {
        Throwable e = assertThrows(Throwable.class, () -> plan("text STRING", MODERATE_OUT, options));
        assertTrue(messages(e).contains(named), "expected '" + named + "' in: " + messages(e));
    }

    @Test
    void translateNeedsATargetLanguageTheTaskKnows() {
        String out = "text STRING, error_code STRING, error_message STRING";
        assertNamed(() -> plan("text STRING", out, options("translate")), "'target-language'");
        assertNamed(() -> plan("text STRING", out, options("translate", "target-language", "de")), "must be one of");
    }

    @Test
    void classifyNeedsTwoDistinctLabels() {
        String out = "label STRING, error_code STRING, error_message STRING";
        assertNamed(() -> plan("text STRING", out, options("classify", "labels", "positive")), "'labels'");
        assertNamed(() -> plan("text STRING", out, options("classify", "labels", "a;a")), "'labels'");
    }

    @Test
    void extractNeedsASchemaInTheSupportedSubset() {
        String out = "json STRING, error_code STRING, error_message STRING";
        assertNamed(() -> plan("text STRING", out, options("extract")), "'schema' is required");
        assertNamed(() -> plan("text STRING", out, options("extract", "schema", "{not json")), "'schema' is not JSON");
        assertNamed(
                () -> plan(
                        "text STRING",
                        out,
                        options("extract", "schema", "{\"type\":\"object\",\"patternProperties\":{}}")),
                "'schema' is outside the supported subset");
    }

    @Test
    void theOutputMustMatchTheTask() {
        assertNamed(
                () -> plan("text STRING", "label STRING, error_code STRING, error_message STRING", options("moderate")),
                "OUTPUT column 'label' is not produced");
        assertNamed(
                () -> plan("text STRING", "safe STRING, error_code STRING, error_message STRING", options("moderate")),
                "OUTPUT column 'safe' is STRING but task 'moderate' produces BOOLEAN");
        assertNamed(
                () -> plan("text STRING", "safe BOOLEAN, error_message STRING", options("moderate")),
                "OUTPUT must declare 'error_code STRING'");
        assertNamed(
                () -> plan(
                        "text STRING",
                        "prompt_tokens INT, error_code STRING, error_message STRING",
                        options("moderate")),
                "none of the results of task 'moderate'");
    }

    @Test
    void theInputTakesOneTextAndOptionallyImages() {
        assertNamed(
                () -> plan("text STRING, note STRING", MODERATE_OUT, options("moderate"), "text, note"),
                "INPUT column 'note' (STRING) is not accepted");
    }

    @Test
    void aCompleteModelPlans() {
        assertDoesNotThrow(() -> plan(
                "text STRING",
                MODERATE_OUT + ", prompt_tokens INT, completion_tokens INT",
                options("moderate", "max-tokens", "8", "batching.max-wait", "2 ms", "engine.kv-cache-size", "64m")));
    }

    @Test
    void theTableApiFormPlansWithTheSameProvider() {
        tEnv.createTemporaryModel(
                "table_api_model",
                ModelDescriptor.forProvider("llamastream")
                        .inputSchema(Schema.newBuilder()
                                .column("text", DataTypes.STRING())
                                .build())
                        .outputSchema(Schema.newBuilder()
                                .column("label", DataTypes.STRING())
                                .column("error_code", DataTypes.STRING())
                                .column("error_message", DataTypes.STRING())
                                .build())
                        .option("model.dir", MODEL_DIR)
                        .option("task", "classify")
                        .option("labels", "positive;negative")
                        .build());
        Table predicted = tEnv.fromModel("table_api_model")
                .predict(
                        tEnv.from("reviews"),
                        ColumnList.of("text"),
                        Map.of("async", "true", "max-concurrent-operations", "64"));
        assertTrue(predicted.getResolvedSchema().getColumnNames().containsAll(List.of("label", "error_code")));
        assertDoesNotThrow(() -> predicted.explain());
    }

    static void assertNamed(Executable planning, String named) {
        Throwable e = assertThrows(Throwable.class, planning);
        assertTrue(messages(e).contains(named), "expected '" + named + "' in: " + messages(e));
    }

    static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
