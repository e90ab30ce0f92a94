package io.llamastream.operators;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ResultEvent;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What {@link InferencePipeline#build} returns: the successful results and the dead letters. Every
 * input record appears in exactly one of the two streams, exactly once.
 */
public record PipelineOutputs(DataStream<ResultEvent> results, DataStream<DeadLetterEvent> deadLetters) {}
