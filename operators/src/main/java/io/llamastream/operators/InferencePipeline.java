package io.llamastream.operators;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.ValidRequest;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires the operators between the job's Kafka source and sinks: parse and validate, tokenize,
 * {@code keyBy} routing key (session, else id), inference with per-task post-processing; the
 * three operators' dead letters are merged into one stream. Operators carry stable uids so a job
 * can be restored from a savepoint of an earlier build.
 *
 * <p>Validate and tokenize run at the input's parallelism so they chain to the source and keep
 * each source partition's order up to the {@code keyBy}: a session's turns reach the inference
 * operator in the order they were produced, provided the producer keeps a session in one Kafka
 * partition (key records by session).
 */
public final class InferencePipeline {
    private InferencePipeline() {}

    public static PipelineOutputs build(DataStream<RawRequest> requests, PipelineSettings settings) {
        return build(requests, settings, new InferenceOperator(settings));
    }

    /** The pipeline with {@code inference} as its inference operator (the demo's injects a failure). */
    public static PipelineOutputs build(
            DataStream<RawRequest> requests, PipelineSettings settings, InferenceOperator inference) {
        SingleOutputStreamOperator<ValidRequest> valid = requests.process(
                        new RequestValidator(settings), TypeInformation.of(ValidRequest.class))
                .setParallelism(requests.getParallelism())
                .name("parse-validate")
                .uid("llamastream-parse-validate");
        SingleOutputStreamOperator<PreparedRequest> prepared = valid.process(
                        new PromptTokenizer(settings), TypeInformation.of(PreparedRequest.class))
                .setParallelism(requests.getParallelism())
                .name("tokenize")
                .uid("llamastream-tokenize");
        SingleOutputStreamOperator<ResultEvent> results = prepared.keyBy(
                        p -> p.request().routingKey(), TypeInformation.of(String.class))
                .transform("inference", TypeInformation.of(ResultEvent.class), inference)
                .uid("llamastream-inference");
        DataStream<DeadLetterEvent> deadLetters = valid.getSideOutput(DeadLetterOutput.TAG)
                .union(prepared.getSideOutput(DeadLetterOutput.TAG), results.getSideOutput(DeadLetterOutput.TAG));
        return new PipelineOutputs(results, deadLetters);
    }
}
