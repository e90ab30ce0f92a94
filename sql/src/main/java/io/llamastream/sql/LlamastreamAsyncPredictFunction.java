package io.llamastream.sql;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * The asynchronous {@code ML_PREDICT} function: each row is handed to the shared engine and its
 * future completes from the engine's callback, so up to {@code max-concurrent-operations} rows per
 * subtask wait in the engine together and are batched.
 */
public final class LlamastreamAsyncPredictFunction extends AsyncPredictFunction {
    private final RowPredictor predictor;

    public LlamastreamAsyncPredictFunction(RowPredictor predictor) {
        this.predictor = predictor;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        predictor.open();
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData inputRow) {
        return predictor.predict(inputRow).thenApply(List::of);
    }

    @Override
    public void close() throws Exception {
        predictor.close();
        super.close();
    }
}
