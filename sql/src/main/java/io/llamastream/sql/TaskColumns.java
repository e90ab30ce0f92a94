package io.llamastream.sql;

import io.llamastream.operators.tasks.TaskKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The output columns a task's model can declare in {@code OUTPUT (...)}: the task's result columns
 * (moderate: safe, categories, score; classify: label, probabilities; extract: json; translate and
 * generate: text), then for every task the token counts, whether the input was truncated, and the
 * row-level error. A declaration may list any of them in any order, but must keep
 * {@code error_code} and {@code error_message} (a failed row must not look like an empty answer) and
 * at least one result column; names are matched exactly, types ignoring nullability.
 */
public final class TaskColumns {
    public static final String ERROR_CODE = "error_code";
    public static final String ERROR_MESSAGE = "error_message";

    private static final Map<String, DataType> COMMON = ordered(
            "prompt_tokens",
            DataTypes.INT(),
            "completion_tokens",
            DataTypes.INT(),
            "input_truncated",
            DataTypes.BOOLEAN(),
            ERROR_CODE,
            DataTypes.STRING(),
            ERROR_MESSAGE,
            DataTypes.STRING());

    private TaskColumns() {}

    /** The task's own result columns, in their documented order. */
    public static Map<String, DataType> results(TaskKind kind) {
        return switch (kind) {
            case MODERATE ->
                ordered(
                        "safe",
                        DataTypes.BOOLEAN(),
                        "categories",
                        DataTypes.ARRAY(DataTypes.STRING()),
                        "score",
                        DataTypes.DOUBLE());
            case CLASSIFY ->
                ordered(
                        "label",
                        DataTypes.STRING(),
                        "probabilities",
                        DataTypes.MAP(DataTypes.STRING(), DataTypes.DOUBLE()));
            case EXTRACT -> ordered("json", DataTypes.STRING());
            case TRANSLATE, GENERATE -> ordered("text", DataTypes.STRING());
        };
    }

    /** Every column the task's model may declare: its results, then the common ones. */
    public static Map<String, DataType> all(TaskKind kind) {
        Map<String, DataType> all = new LinkedHashMap<>(results(kind));
        all.putAll(COMMON);
        return all;
    }

    /** Checks a declared {@code OUTPUT} against the task; {@code model} and {@code task} name them in errors. */
    public static void check(ResolvedSchema output, TaskKind kind, String model, String task) {
        Map<String, DataType> known = all(kind);
        String expected = "the columns of task '" + task + "' are " + describe(known);
        List<String> declared = new ArrayList<>();
        for (Column c : output.getColumns()) {
            DataType want = known.get(c.getName());
            if (want == null) {
                throw new ValidationException("model " + model + ": OUTPUT column '" + c.getName()
                        + "' is not produced by this provider; " + expected);
            }
            if (!sameIgnoringNullability(want.getLogicalType(), c.getDataType().getLogicalType())) {
                throw new ValidationException("model " + model + ": OUTPUT column '" + c.getName() + "' is "
                        + c.getDataType() + " but task '" + task + "' produces " + want);
            }
            declared.add(c.getName());
        }
        for (String required : List.of(ERROR_CODE, ERROR_MESSAGE)) {
            if (!declared.contains(required)) {
                throw new ValidationException("model " + model + ": OUTPUT must declare '" + required
                        + " STRING', where a row that fails gets its error; " + expected);
            }
        }
        if (results(kind).keySet().stream().noneMatch(declared::contains)) {
            throw new ValidationException("model " + model + ": OUTPUT declares none of the results of task '" + task
                    + "' (" + describe(results(kind)) + ")");
        }
    }

    static boolean sameIgnoringNullability(LogicalType a, LogicalType b) {
        if (!a.copy(true).getTypeRoot().equals(b.copy(true).getTypeRoot())) {
            return false;
        }
        List<LogicalType> ca = a.getChildren();
        List<LogicalType> cb = b.getChildren();
        if (ca.size() != cb.size()) {
            return false;
        }
        for (int i = 0; i < ca.size(); i++) {
            if (!sameIgnoringNullability(ca.get(i), cb.get(i))) {
                return false;
            }
        }
        return ca.isEmpty() ? a.copy(true).equals(b.copy(true)) : true;
    }

    private static String describe(Map<String, DataType> columns) {
        return columns.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().getLogicalType().asSummaryString())
                .collect(Collectors.joining(", "));
    }

    private static Map<String, DataType> ordered(Object... pairs) {
        Map<String, DataType> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (DataType) pairs[i + 1]);
        }
        return m;
    }
}
