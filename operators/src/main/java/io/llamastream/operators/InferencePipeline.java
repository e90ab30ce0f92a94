package io.llamastream.operators;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ResultEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires the operators between the job's Kafka source and sinks: parse and validate, tokenize,
 * {@code keyBy} routing key (session, else id), inference with per-task post-processing; the
 * three operators' dead letters are merged into one stream. Operators carry stable uids so a job
 * can be restored from a savepoint of an earlier build.
 */
public final class InferencePipeline {
    private InferencePipeline() {
    }

    public static PipelineOutputs build(DataStream<RawRequest> requests, PipelineSettings settings) {
        SingleOutputStreamOperator<ValidRequest> valid = requests
                .process(new RequestValidator(settings), TypeInformation.of(ValidRequest.class))
                .name("parse-validate").uid("llamastream-parse-validate");
        SingleOutputStreamOperator<PreparedRequest> prepared = valid
                .process(new PromptTokenizer(settings), TypeInformation.of(PreparedRequest.class))
                .name("tokenize").uid("llamastream-tokenize");
        SingleOutputStreamOperator<ResultEvent> results = prepared
                .keyBy(p -> p.request().routingKey(), TypeInformation.of(String.class))
                .transform("inference", TypeInformation.of(ResultEvent.class), new InferenceOperator(settings))
                .uid("llamastream-inference");
        DataStream<DeadLetterEvent> deadLetters = valid.getSideOutput(DeadLetterOutput.TAG)
                .union(prepared.getSideOutput(DeadLetterOutput.TAG), results.getSideOutput(DeadLetterOutput.TAG));
        return new PipelineOutputs(results, deadLetters);
    }
}
