package io.llamastream.sql;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Where a model's {@code INPUT (...)} puts the text and the images, in the order the
 * {@code DESCRIPTOR(...)} of {@code ML_PREDICT} passes them: exactly one character-string column
 * (the text) and at most one image column, either {@code BYTES} (one image) or
 * {@code ARRAY<BYTES>} (several, in order). Reads both from a row; a null text reads as empty.
 */
public record InputColumns(int text, int images, boolean imageArray) implements Serializable {

    /** The layout of a declared {@code INPUT}; {@code model} names it in errors. */
    public static InputColumns of(ResolvedSchema input, String model) {
        int text = -1;
        int images = -1;
        boolean array = false;
        List<Column> columns = input.getColumns();
        for (int i = 0; i < columns.size(); i++) {
            LogicalType type = columns.get(i).getDataType().getLogicalType();
            String name = columns.get(i).getName();
            boolean bytes = type.is(LogicalTypeFamily.BINARY_STRING);
            boolean bytesArray =
                    type.is(LogicalTypeRoot.ARRAY) && type.getChildren().get(0).is(LogicalTypeFamily.BINARY_STRING);
            if (type.is(LogicalTypeFamily.CHARACTER_STRING) && text < 0) {
                text = i;
            } else if ((bytes || bytesArray) && images < 0) {
                images = i;
                array = bytesArray;
            } else {
                throw new ValidationException("model " + model + ": INPUT column '" + name + "' (" + type
                        + ") is not accepted; INPUT takes one STRING column (the text) and optionally one BYTES or "
                        + "ARRAY<BYTES> column (the images)");
            }
        }
        if (text < 0) {
            throw new ValidationException("model " + model + ": INPUT needs a STRING column for the text");
        }
        return new InputColumns(text, images, array);
    }

    public String text(RowData row) {
        return row.isNullAt(text) ? "" : row.getString(text).toString();
    }

    /** The row's images in order (none when the column is absent or null; null elements are skipped). */
    public List<byte[]> images(RowData row) {
        List<byte[]> out = new ArrayList<>();
        if (images < 0 || row.isNullAt(images)) {
            return out;
        }
        if (!imageArray) {
            out.add(row.getBinary(images));
            return out;
        }
        ArrayData array = row.getArray(images);
        for (int i = 0; i < array.size(); i++) {
            if (!array.isNullAt(i)) {
                out.add(array.getBinary(i));
            }
        }
        return out;
    }
}
