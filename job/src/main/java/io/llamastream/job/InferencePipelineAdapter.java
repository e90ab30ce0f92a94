package io.llamastream.job;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.PipelineSettings;
import io.llamastream.operators.RawRequest;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Calls {@code io.llamastream.operators.InferencePipeline.build} by reflection: the operators
 * module is developed on another branch, and until it is merged this branch must still compile.
 * Fails loudly (never falls back) when the class is missing.
 * TODO replace with a direct call once the operators branch is merged.
 */
final class InferencePipelineAdapter {

    private InferencePipelineAdapter() {
    }

    @SuppressWarnings("unchecked")
    static JobPipeline.Outputs build(DataStream<RawRequest> requests, PipelineSettings settings) {
        try {
            Class<?> pipeline = Class.forName("io.llamastream.operators.InferencePipeline");
            Method build = pipeline.getMethod("build", DataStream.class, PipelineSettings.class);
            Object outputs = build.invoke(null, requests, settings);
            DataStream<ResultEvent> results = (DataStream<ResultEvent>) outputs.getClass().getMethod("results").invoke(outputs);
            DataStream<DeadLetterEvent> deadLetters =
                    (DataStream<DeadLetterEvent>) outputs.getClass().getMethod("deadLetters").invoke(outputs);
            return new JobPipeline.Outputs(results, deadLetters);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException("the operators module has no InferencePipeline.build(DataStream, PipelineSettings) "
                    + "on the classpath: " + e, e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("InferencePipeline.build failed: " + cause, cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
