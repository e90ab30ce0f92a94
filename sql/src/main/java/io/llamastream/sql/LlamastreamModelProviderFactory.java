package io.llamastream.sql;

import static io.llamastream.sql.LlamastreamModelOptions.*;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

/**
 * {@code CREATE MODEL m INPUT (...) OUTPUT (...) WITH ('provider' = 'llamastream', ...)}: the
 * embedded llamastream engine as a Flink model provider. Flink's factory helper rejects unknown
 * options and unparsable values naming the option; {@link ModelSettings} checks the task's own
 * parameters, {@link InputColumns} the {@code INPUT} and {@link TaskColumns} the {@code OUTPUT}, all
 * at planning time, before any weight is read.
 */
public final class LlamastreamModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "llamastream";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(MODEL_DIR, TASK);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(
                TASKS_FILE,
                TARGET_LANGUAGE,
                LABELS,
                SCHEMA,
                SYSTEM_PROMPT,
                MAX_TOKENS,
                TEMPERATURE,
                SEED,
                CONTEXT_OVERFLOW,
                WEIGHT_FORMAT,
                ENGINE_THREADS,
                KV_CACHE_SIZE,
                PREFIX_CACHE_SIZE,
                MAX_BATCH_SIZE,
                MAX_WAIT,
                TOKEN_BUDGET,
                MAX_CONTEXT_TOKENS,
                MAX_TEXT_CHARS,
                MAX_IMAGES,
                MAX_IMAGE_PIXELS,
                DATE_STRING,
                DEADLINE);
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        String model = context.getObjectIdentifier().asSummaryString();
        ModelSettings settings = ModelSettings.from(helper.getOptions(), model);
        ResolvedCatalogModel catalogModel = context.getCatalogModel();
        InputColumns input = InputColumns.of(catalogModel.getResolvedInputSchema(), model);
        TaskColumns.check(
                catalogModel.getResolvedOutputSchema(),
                settings.task().kind(),
                model,
                settings.task().name());
        String[] output =
                catalogModel.getResolvedOutputSchema().getColumnNames().toArray(String[]::new);
        return new LlamastreamModelProvider(new RowPredictor(settings, input, output));
    }
}
