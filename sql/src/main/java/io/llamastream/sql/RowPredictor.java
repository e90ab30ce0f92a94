package io.llamastream.sql;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.ImageEmbedder;
import io.llamastream.operators.ImageInputs;
import io.llamastream.operators.InputLimits;
import io.llamastream.operators.MediaPromptEncoder;
import io.llamastream.operators.PromptEncoder;
import io.llamastream.operators.SharedEngine;
import io.llamastream.operators.TextPromptEncoder;
import io.llamastream.operators.postprocess.ReplyFormatException;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskPromptFormats;
import io.llamastream.operators.tasks.ValidRequest;
import java.io.Serializable;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.table.data.RowData;

/**
 * The work behind both predict functions: one {@code ML_PREDICT} row in, one output row out. The
 * row is checked against the input limits, its prompt built by the DataStream job's encoders, and
 * it is submitted to the TaskManager's {@link SharedEngine}, so rows of every subtask (and the
 * DataStream job's requests, with the same settings) share the engine's batches. A row that fails
 * anywhere comes back with {@code error_code}/{@code error_message} and the job's dead-letter code;
 * it never fails the job.
 */
public final class RowPredictor implements Serializable {
    private final ModelSettings settings;
    private final InputColumns input;
    private final String[] output;

    private transient SharedEngine engine;
    private transient PromptEncoder textEncoder;
    private transient PromptEncoder mediaEncoder;
    private transient ImageEmbedder images;
    private transient TaskCall call;
    private transient AtomicLong rows;

    public RowPredictor(ModelSettings settings, InputColumns input, String[] output) {
        this.settings = settings;
        this.input = input;
        this.output = output;
    }

    public void open() {
        engine = SharedEngine.acquire(settings.modelDir(), settings.engine(), settings.batching());
        Llama4Model model = engine.model();
        InputLimits limits = settings.limits();
        // The task's chat format, as the DataStream job chooses it (a Llama 3 model's own template).
        TaskPromptFormats formats =
                TaskPromptFormats.of(model.chatTemplate(), model.tokenizer(), settings.dateString(), model.name());
        formats.forTask(settings.task());
        textEncoder = new TextPromptEncoder(model.tokenizer(), formats, limits.maxContextTokens());
        if (model.visionEncoder() != null) {
            VisionConfig vision = model.visionEncoder().config();
            mediaEncoder = new MediaPromptEncoder(
                    model.tokenizer(),
                    new ImageInputs(limits.maxImagePixels(), vision.imageSize()),
                    vision.tokensPerTile(),
                    limits.maxContextTokens());
        }
        images = new ImageEmbedder(model, limits.maxImagePixels());
        call = new TaskCall(engine);
        rows = new AtomicLong();
    }

    /**
     * Starts one row; the future completes on the engine's thread (the reply is decoded and parsed
     * there: microseconds against a step of tens of milliseconds) or at once for a rejected row.
     */
    public CompletableFuture<RowData> predict(RowData row) {
        long now = System.currentTimeMillis();
        long deadline = settings.deadlineMs() > 0 ? now + settings.deadlineMs() : 0;
        CompletableFuture<RowAnswer> answer;
        try {
            ValidRequest request = request(row, deadline);
            PromptEncoder encoder = request.imagesBase64().length > 0 ? mediaEncoder : textEncoder;
            PreparedRequest prepared = encoder.encode(settings.task(), request);
            answer = call.run(settings.task(), prepared, images.embed(request.imagesBase64()))
                    .handle((a, error) -> error != null ? failure(error) : a);
            if (deadline > 0) {
                answer = answer.completeOnTimeout(
                        RowAnswer.error(
                                ErrorCode.DEADLINE_EXCEEDED,
                                "deadline of " + settings.deadlineMs() + " ms passed before the result was ready"),
                        settings.deadlineMs(),
                        TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            answer = CompletableFuture.completedFuture(failure(e));
        }
        return answer.thenApply(a -> a.toRow(output));
    }

    public void close() {
        if (engine != null) {
            engine.release();
            engine = null;
        }
    }

    /** The row as the DataStream job's validated request, or the reason it is refused (same checks, same codes). */
    private ValidRequest request(RowData row, long deadline) throws RejectedRequestException {
        String text = input.text(row);
        List<byte[]> imageBytes = input.images(row);
        InputLimits limits = settings.limits();
        if (text.length() > limits.maxTextChars()) {
            throw new RejectedRequestException(
                    ErrorCode.TEXT_TOO_LONG,
                    "text has " + text.length() + " characters, more than the limit of " + limits.maxTextChars());
        }
        if (imageBytes.size() > limits.maxImages()) {
            throw new RejectedRequestException(
                    ErrorCode.TOO_MANY_IMAGES,
                    "row has " + imageBytes.size() + " images, more than the limit of " + limits.maxImages());
        }
        if (!imageBytes.isEmpty() && mediaEncoder == null) {
            throw new RejectedRequestException(
                    ErrorCode.UNSUPPORTED_MODALITY, "model " + engine.model().name() + " has no vision encoder");
        }
        if (text.isBlank() && imageBytes.isEmpty()) {
            throw new RejectedRequestException(ErrorCode.INVALID_FIELD, "the text column is null or blank");
        }
        String[] base64 = imageBytes.stream()
                .map(b -> Base64.getEncoder().encodeToString(b))
                .toArray(String[]::new);
        long n = rows.incrementAndGet();
        return new ValidRequest(
                "sql",
                0,
                n,
                null,
                "row-" + n,
                settings.task().name(),
                null,
                text,
                settings.targetLanguage(),
                settings.labels(),
                settings.schemaJson(),
                settings.maxTokens(),
                settings.temperature(),
                -1,
                -1,
                settings.seed(),
                deadline,
                settings.contextOverflow(),
                base64);
    }

    private static RowAnswer failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RejectedRequestException rejected) {
            return RowAnswer.error(rejected.code(), rejected.getMessage());
        }
        if (cause instanceof ReplyFormatException) {
            return RowAnswer.error(ErrorCode.INFERENCE_FAILED, cause.getMessage());
        }
        return RowAnswer.error(ErrorCode.INFERENCE_FAILED, "engine failed: " + cause);
    }
}
