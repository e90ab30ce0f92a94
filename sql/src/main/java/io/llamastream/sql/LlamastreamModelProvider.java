package io.llamastream.sql;

import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.PredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.ml.PredictRuntimeProvider;

/**
 * A checked llamastream model, offering both runtimes: the planner picks the asynchronous one
 * unless {@code ML_PREDICT}'s config says {@code 'async' = 'false'}. Both wrap the same
 * {@link RowPredictor}.
 */
public final class LlamastreamModelProvider implements AsyncPredictRuntimeProvider, PredictRuntimeProvider {
    private final RowPredictor predictor;

    public LlamastreamModelProvider(RowPredictor predictor) {
        this.predictor = predictor;
    }

    @Override
    public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
        return new LlamastreamAsyncPredictFunction(predictor);
    }

    @Override
    public PredictFunction createPredictFunction(ModelProvider.Context context) {
        return new LlamastreamPredictFunction(predictor);
    }

    @Override
    public ModelProvider copy() {
        return new LlamastreamModelProvider(predictor);
    }
}
