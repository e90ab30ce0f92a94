package io.llamastream.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.llamastream.job.JobPipeline;
import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.EncodedImage;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.InvalidEventException;
import io.llamastream.kafka.RecordSource;
import io.llamastream.kafka.RequestEvent;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.kafka.Timing;
import io.llamastream.kafka.Usage;
import io.llamastream.operators.PipelineOutputs;
import io.llamastream.operators.PipelineSettings;
import io.llamastream.operators.RawRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Test-only stand-in for the inference pipeline, to check the Kafka wiring: validates like the
 * real one (same error codes for the sample's bad events) and echoes each request's text as its
 * output. With {@code failAfterRecords >= 0} a subtask of the first attempt throws once it has
 * seen that many records and at least one checkpoint has completed.
 */
final class PassThroughPipeline implements JobPipeline {

    /** How many injected failures were thrown in this JVM. */
    static final AtomicInteger FAILURES = new AtomicInteger();

    /** Checkpoints completed, as seen by the echo subtasks of this JVM. */
    static final AtomicLong CHECKPOINTS = new AtomicLong();

    private static final OutputTag<DeadLetterEvent> DEAD =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetterEvent.class));

    private final long failAfterRecords;

    /** {@code failAfterRecords}: -1 for never. */
    PassThroughPipeline(long failAfterRecords) {
        this.failAfterRecords = failAfterRecords;
    }

    @Override
    public PipelineOutputs build(DataStream<RawRequest> requests, PipelineSettings settings) {
        SingleOutputStreamOperator<ResultEvent> results = requests.keyBy(PassThroughPipeline::routingKey)
                .process(new Echo(failAfterRecords), TypeInformation.of(ResultEvent.class))
                .name("echo");
        return new PipelineOutputs(results, results.getSideOutput(DEAD));
    }

    private static String routingKey(RawRequest r) {
        return r.key() != null ? new String(r.key(), StandardCharsets.UTF_8) : r.partition() + "/" + r.offset();
    }

    static final class Echo extends KeyedProcessFunction<String, RawRequest, ResultEvent>
            implements CheckpointListener {
        private static final Set<String> TASKS = Set.of("moderate", "translate", "classify", "extract");
        private final long failAfter;
        private transient long seen;
        private transient volatile boolean checkpointed;

        Echo(long failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public void processElement(RawRequest raw, Context ctx, Collector<ResultEvent> out) {
            seen++;
            if (failAfter >= 0
                    && seen > failAfter
                    && checkpointed
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure after " + failAfter + " records");
            }
            RecordSource source = new RecordSource(raw.topic(), raw.partition(), raw.offset());
            RequestEvent req;
            try {
                req = EventJson.readRequest(raw.value());
            } catch (InvalidEventException e) {
                ctx.output(DEAD, DeadLetterEvent.of(e, raw.value(), source));
                return;
            }
            ErrorCode code = null;
            if (!TASKS.contains(req.task())) {
                code = ErrorCode.UNKNOWN_TASK;
            } else if (req.audio() != null) {
                code = ErrorCode.UNSUPPORTED_MODALITY;
            } else if (req.text() != null && req.text().length() > 32_768) {
                code = ErrorCode.TEXT_TOO_LONG;
            } else {
                for (EncodedImage image : req.images()) {
                    try {
                        Base64.getDecoder().decode(image.base64());
                    } catch (IllegalArgumentException e) {
                        code = ErrorCode.BAD_BASE64;
                    }
                }
            }
            if (code == null && !req.images().isEmpty()) {
                code = ErrorCode.UNSUPPORTED_MODALITY; // as a text-only model answers images
            }
            if (code != null) {
                ctx.output(
                        DEAD, DeadLetterEvent.of(code, code.description(), raw.value(), source, req.id(), req.task()));
                return;
            }
            String text = req.text() == null ? "" : req.text();
            out.collect(ResultEvent.ok(
                    req.id(),
                    req.task(),
                    text,
                    JsonNodeFactory.instance.objectNode().put("echo", true),
                    new Usage(text.length(), 0, 1),
                    new Timing(0, 0, 0, 0),
                    "echo",
                    req.session()));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
            CHECKPOINTS.incrementAndGet();
        }
    }
}
