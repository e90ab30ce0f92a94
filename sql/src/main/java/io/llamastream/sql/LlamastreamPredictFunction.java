package io.llamastream.sql;

import java.util.Collection;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.PredictFunction;

/**
 * The synchronous {@code ML_PREDICT} function ({@code 'async' = 'false'}): one row at a time per
 * subtask, waiting for its answer. Rows of different subtasks still share the engine's batches,
 * but a subtask never has two rows in flight, so the asynchronous function is the fast one.
 */
public final class LlamastreamPredictFunction extends PredictFunction {
    private final RowPredictor predictor;

    public LlamastreamPredictFunction(RowPredictor predictor) {
        this.predictor = predictor;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        predictor.open();
    }

    @Override
    public Collection<RowData> predict(RowData inputRow) {
        return List.of(predictor.predict(inputRow).join());
    }

    @Override
    public void close() throws Exception {
        predictor.close();
        super.close();
    }
}
