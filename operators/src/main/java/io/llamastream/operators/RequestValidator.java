package io.llamastream.operators;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.EncodedImage;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.InvalidEventException;
import io.llamastream.kafka.RecordSource;
import io.llamastream.kafka.RequestEvent;
import io.llamastream.kafka.RequestParams;
import io.llamastream.operators.metrics.DeadLetterCounters;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.ValidRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parse and validate: turns each raw record into a {@link ValidRequest} or a dead-letter entry on
 * {@link DeadLetterOutput#TAG}. Checks, in order: JSON shape (NOT_JSON, INVALID_FIELD, MISSING_ID,
 * from {@link EventJson}), known task (UNKNOWN_TASK), audio (UNSUPPORTED_MODALITY), text length
 * (TEXT_TOO_LONG), image and frame counts (TOO_MANY_IMAGES), base64 of every image and frame
 * (BAD_BASE64), images for a model without a vision encoder (UNSUPPORTED_MODALITY), then the task's
 * own parameters (INVALID_FIELD), which its {@link io.llamastream.operators.tasks.TaskHandler}
 * checks: translate's target language, classify's labels, extract's schema.
 * Cheap checks run first so a bad record costs little; nothing here touches the model weights.
 */
public class RequestValidator extends ProcessFunction<RawRequest, ValidRequest> {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private final PipelineSettings settings;
    private transient TaskCatalog catalog;
    private transient ModelCapabilities model;
    private transient DeadLetterCounters deadLetters;

    public RequestValidator(PipelineSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        load();
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    /**
     * Reads the task catalog and the model's capabilities; {@link #open} does it inside a job, a
     * caller without Flink (the demo's comparison with the raw engine) calls it once before
     * {@link #validate(RawRequest)}.
     */
    public RequestValidator load() {
        catalog = TaskCatalog.load(settings.tasksFile());
        model = ModelCapabilities.read(settings.modelDir());
        return this;
    }

    /** The operator's checks on one record without its Flink context: the valid request, or why not. */
    public ValidRequest validate(RawRequest raw) throws InvalidEventException, RejectedRequestException {
        return validate(raw, EventJson.readRequest(raw.value()));
    }

    @Override
    public void processElement(RawRequest raw, Context ctx, Collector<ValidRequest> out) {
        RecordSource source = new RecordSource(raw.topic(), raw.partition(), raw.offset());
        RequestEvent event;
        try {
            event = EventJson.readRequest(raw.value());
        } catch (InvalidEventException e) {
            reject(ctx, DeadLetterEvent.of(e, raw.value(), source));
            return;
        }
        try {
            out.collect(validate(raw, event));
        } catch (RejectedRequestException e) {
            reject(ctx, DeadLetterEvent.of(e.code(), e.getMessage(), raw.value(), source, event.id(), event.task()));
        }
    }

    private void reject(Context ctx, DeadLetterEvent dead) {
        deadLetters.inc(dead.errorCode());
        ctx.output(DeadLetterOutput.TAG, dead);
    }

    /** Visible for tests that check single rules without a Flink runtime. */
    ValidRequest validate(RawRequest raw, RequestEvent e) throws RejectedRequestException {
        TaskDefinition task = catalog.get(e.task());
        if (task == null) {
            throw new RejectedRequestException(
                    ErrorCode.UNKNOWN_TASK,
                    "unknown task '" + e.task() + "'; known tasks: " + String.join(", ", catalog.names()));
        }
        if (e.audio() != null) {
            throw new RejectedRequestException(
                    ErrorCode.UNSUPPORTED_MODALITY, "model " + model.name() + " does not accept audio");
        }
        InputLimits limits = settings.limits();
        if (e.text() != null && e.text().length() > limits.maxTextChars()) {
            throw new RejectedRequestException(
                    ErrorCode.TEXT_TOO_LONG,
                    "text has " + e.text().length() + " characters, more than the limit of " + limits.maxTextChars());
        }
        List<EncodedImage> frames = e.video() == null ? List.of() : e.video().frames();
        if (e.images().size() > limits.maxImages()) {
            throw new RejectedRequestException(
                    ErrorCode.TOO_MANY_IMAGES,
                    "request has " + e.images().size() + " images, more than the limit of " + limits.maxImages());
        }
        if (frames.size() > limits.maxVideoFrames()) {
            throw new RejectedRequestException(
                    ErrorCode.TOO_MANY_IMAGES,
                    "video has " + frames.size() + " frames, more than the limit of " + limits.maxVideoFrames());
        }
        List<String> images = new ArrayList<>();
        checkBase64(e.images(), "images", images);
        checkBase64(frames, "video.frames", images);
        if (e.video() != null && e.video().base64() != null) {
            decode(e.video().base64(), "video.base64");
            throw new RejectedRequestException(
                    ErrorCode.UNSUPPORTED_MODALITY,
                    "encoded video files are not supported; send 'video.frames' as images");
        }
        if (!images.isEmpty() && !model.vision()) {
            throw new RejectedRequestException(
                    ErrorCode.UNSUPPORTED_MODALITY, "model " + model.name() + " has no vision encoder");
        }
        if ((e.text() == null || e.text().isBlank()) && images.isEmpty()) {
            throw new RejectedRequestException(ErrorCode.INVALID_FIELD, "field 'text' is missing or blank");
        }
        RequestParams p = e.params();
        String schemaJson =
                task.handler().readsSchema() && p.schema() != null ? p.schema().toString() : null;
        long deadline = p.deadlineMs() != null
                ? p.deadlineMs()
                : settings.defaultDeadlineMs() > 0 ? System.currentTimeMillis() + settings.defaultDeadlineMs() : 0;
        ValidRequest valid = new ValidRequest(
                raw.topic(),
                raw.partition(),
                raw.offset(),
                raw.value(),
                e.id(),
                e.task(),
                e.session(),
                e.text() == null ? "" : e.text(),
                p.targetLanguage(),
                p.labels().toArray(String[]::new),
                schemaJson,
                p.maxTokens() == null ? -1 : p.maxTokens(),
                p.temperature() == null ? -1 : p.temperature(),
                p.topP() == null ? -1 : p.topP(),
                p.topK() == null ? -1 : p.topK(),
                p.seed() == null ? 0 : p.seed(),
                deadline,
                p.contextOverflow() == null ? null : p.contextOverflow().wireValue(),
                images.toArray(String[]::new));
        task.handler().validate(task, valid);
        return valid;
    }

    private static void checkBase64(List<EncodedImage> items, String field, List<String> out)
            throws RejectedRequestException {
        for (int i = 0; i < items.size(); i++) {
            decode(items.get(i).base64(), field + "[" + i + "].base64");
            out.add(items.get(i).base64());
        }
    }

    private static byte[] decode(String base64, String field) throws RejectedRequestException {
        try {
            byte[] bytes = Base64.getDecoder().decode(WHITESPACE.matcher(base64).replaceAll(""));
            if (bytes.length == 0) {
                throw new RejectedRequestException(ErrorCode.BAD_BASE64, "field '" + field + "' is empty");
            }
            return bytes;
        } catch (IllegalArgumentException ex) {
            throw new RejectedRequestException(
                    ErrorCode.BAD_BASE64, "field '" + field + "' is not valid base64: " + ex.getMessage());
        }
    }
}
