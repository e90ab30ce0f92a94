package io.llamastream.sql;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.operators.SharedEngine;
import io.llamastream.operators.tasks.EngineCall;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one prepared row on the shared engine through its task's
 * {@link io.llamastream.operators.tasks.TaskHandler}, exactly as the DataStream job's inference
 * operator does (engine call, submit, parse), and spreads the parsed reply over the task's typed
 * columns.
 */
final class TaskCall {
    private final SharedEngine engine;

    TaskCall(SharedEngine engine) {
        this.engine = engine;
    }

    CompletableFuture<RowAnswer> run(TaskDefinition task, PreparedRequest p, float[] imageRows) {
        EngineCall call = task.handler().engineCall(task, p, engine.vocabulary());
        return call.submit(engine.scheduler(), imageRows)
                .thenApply(results ->
                        columns(task, task.handler().parse(task, p.request(), call, results, engine.vocabulary()), p));
    }

    private static RowAnswer columns(TaskDefinition task, TaskReply reply, PreparedRequest p) {
        RowAnswer answer = new RowAnswer()
                .put("prompt_tokens", p.promptIds().length)
                .put("completion_tokens", reply.completionTokens())
                .put("input_truncated", p.truncated());
        JsonNode result = reply.result();
        return switch (task.kind()) {
            case CLASSIFY -> {
                Map<String, Double> probabilities = new LinkedHashMap<>();
                result.get("probabilities")
                        .fields()
                        .forEachRemaining(
                                e -> probabilities.put(e.getKey(), e.getValue().asDouble()));
                yield answer.put("label", reply.output()).put("probabilities", probabilities);
            }
            case MODERATE -> {
                List<String> categories = new ArrayList<>();
                result.get("categories").forEach(c -> categories.add(c.asText()));
                yield answer.put("safe", result.get("safe").asBoolean())
                        .put("categories", categories)
                        .put("score", result.get("score").asDouble());
            }
            case EXTRACT -> answer.put("json", reply.output());
            default -> answer.put("text", reply.output());
        };
    }
}
