package io.llamastream.job;

import io.llamastream.operators.InferencePipeline;
import io.llamastream.operators.PipelineOutputs;
import io.llamastream.operators.PipelineSettings;
import io.llamastream.operators.RawRequest;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What sits between the Kafka source and the two Kafka sinks: turns raw request records into
 * exactly one result or dead-letter record each. Production uses the operators' inference
 * pipeline ({@link #inference()}); tests can plug in something simpler to check the Kafka wiring.
 */
@FunctionalInterface
public interface JobPipeline {

    PipelineOutputs build(DataStream<RawRequest> requests, PipelineSettings settings);

    /** The operators' {@code InferencePipeline}: parse, validate, tokenize, infer, post-process. */
    static JobPipeline inference() {
        return InferencePipeline::build;
    }
}
