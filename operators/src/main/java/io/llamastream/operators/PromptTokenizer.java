package io.llamastream.operators;

import io.llamastream.engine.model.VocabOnlyModel;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.operators.metrics.DeadLetterCounters;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskPromptFormats;
import io.llamastream.operators.tasks.ValidRequest;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The tokenize step: builds each validated request's prompt with a {@link PromptEncoder} (the
 * text one, in each task's chat format, or for images the media one; the model's tokenizer, chat
 * template and vision settings are read from the model folder, without the weights) and
 * dead-letters prompts that do not fit the context window under the task's overflow policy.
 * Runs before {@code keyBy}, so tokenization is spread over all subtasks, not the inference ones.
 */
public class PromptTokenizer extends ProcessFunction<ValidRequest, PreparedRequest> {
    private final PipelineSettings settings;
    private transient TaskCatalog catalog;
    private transient PromptEncoder textEncoder;
    private transient PromptEncoder mediaEncoder;
    private transient DeadLetterCounters deadLetters;

    public PromptTokenizer(PipelineSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        load();
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    /**
     * Reads the catalog, the tokenizer and the vision settings; {@link #open} does it inside a
     * job, a caller without Flink (the demo's comparison with the raw engine) calls it once before
     * {@link #prepare}.
     */
    public PromptTokenizer load() {
        catalog = TaskCatalog.load(settings.tasksFile());
        VocabOnlyModel model = VocabOnlyModel.load(Path.of(settings.modelDir()));
        Tokenizer tokenizer = model.tokenizer();
        TaskPromptFormats formats = TaskPromptFormats.of(
                        model.chatTemplate(), tokenizer, catalog.dateString(), settings.modelDir())
                .check(catalog);
        textEncoder =
                new TextPromptEncoder(tokenizer, formats, settings.limits().maxContextTokens());
        Path config = Path.of(settings.modelDir()).resolve("config.json");
        if (ModelCapabilities.read(settings.modelDir()).vision()) {
            VisionConfig vision = VisionConfig.read(config);
            mediaEncoder = new MediaPromptEncoder(
                    tokenizer,
                    new ImageInputs(settings.limits().maxImagePixels(), vision.imageSize()),
                    vision.tokensPerTile(),
                    settings.limits().maxContextTokens());
        }
        return this;
    }

    /** The operator's prompt for one validated request without its Flink context, or why it cannot have one. */
    public PreparedRequest prepare(ValidRequest r) throws RejectedRequestException {
        // Requests with images pass validation only for a vision model, which has a media encoder.
        PromptEncoder encoder = r.imagesBase64().length > 0 ? mediaEncoder : textEncoder;
        return encoder.encode(catalog.get(r.task()), r);
    }

    @Override
    public void processElement(ValidRequest r, Context ctx, Collector<PreparedRequest> out) {
        try {
            out.collect(prepare(r));
        } catch (RejectedRequestException e) {
            deadLetters.inc(e.code());
            ctx.output(DeadLetterOutput.TAG, DeadLetterOutput.of(r, e.code(), e.getMessage()));
        }
    }
}
