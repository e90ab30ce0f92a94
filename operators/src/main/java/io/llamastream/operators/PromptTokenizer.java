package io.llamastream.operators;

import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.metrics.DeadLetterCounters;
import io.llamastream.operators.tasks.TaskCatalog;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The tokenize step: builds each validated request's prompt with a {@link PromptEncoder} (today
 * the text one; the model's tokenizer is read from the model folder, without the weights) and
 * dead-letters prompts that do not fit the context window under the task's overflow policy.
 * Runs before {@code keyBy}, so tokenization is spread over all subtasks, not the inference ones.
 */
public class PromptTokenizer extends ProcessFunction<ValidRequest, PreparedRequest> {
    private final PipelineSettings settings;
    private transient TaskCatalog catalog;
    private transient PromptEncoder textEncoder;
    private transient DeadLetterCounters deadLetters;

    public PromptTokenizer(PipelineSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        catalog = TaskCatalog.load(settings.tasksFile());
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(Path.of(settings.modelDir()).resolve("tokenizer.json"));
        textEncoder = new TextPromptEncoder(tokenizer, settings.limits().maxContextTokens());
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(ValidRequest r, Context ctx, Collector<PreparedRequest> out) {
        try {
            // Requests with images only pass validation for a vision model; their encoder is not merged yet.
            if (r.imagesBase64().length > 0) {
                throw new RejectedRequestException(io.llamastream.kafka.ErrorCode.UNSUPPORTED_MODALITY,
                        "image prompts are not supported by this build (vision encoder not available)");
            }
            out.collect(textEncoder.encode(catalog.get(r.task()), r));
        } catch (RejectedRequestException e) {
            deadLetters.inc(e.code());
            ctx.output(DeadLetterOutput.TAG, DeadLetterOutput.of(r, e.code(), e.getMessage()));
        }
    }
}
