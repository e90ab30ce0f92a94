package io.llamastream.sql;

import io.llamastream.kafka.ErrorCode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * One row's answer as values by output column name, turned into the row of the model's declared
 * {@code OUTPUT} (columns it does not declare are dropped, columns without a value are null). A
 * failed row carries only {@code error_code} (the DataStream job's dead-letter code) and
 * {@code error_message}.
 */
public final class RowAnswer {
    private final Map<String, Object> values = new HashMap<>();

    public static RowAnswer error(ErrorCode code, String message) {
        return new RowAnswer().put(TaskColumns.ERROR_CODE, code.name()).put(TaskColumns.ERROR_MESSAGE, message);
    }

    /** Sets a column from a plain Java value: String, Boolean, Integer, Double, a list of strings, a map of doubles. */
    public RowAnswer put(String column, Object value) {
        values.put(column, internal(value));
        return this;
    }

    /** The value set for a column, in Flink's internal form (for tests and logs). */
    public Object get(String column) {
        return values.get(column);
    }

    public RowData toRow(String[] columns) {
        GenericRowData row = new GenericRowData(columns.length);
        for (int i = 0; i < columns.length; i++) {
            row.setField(i, values.get(columns[i]));
        }
        return row;
    }

    private static Object internal(Object value) {
        if (value instanceof String s) {
            return StringData.fromString(s);
        }
        if (value instanceof List<?> list) {
            return new GenericArrayData(list.stream().map(RowAnswer::internal).toArray());
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(internal(k), internal(v)));
            return new GenericMapData(m);
        }
        return value;
    }
}
