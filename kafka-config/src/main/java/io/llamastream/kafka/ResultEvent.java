package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The successful outcome of one request, written to the results topic keyed by {@code id}.
 * {@code output} is the model's raw text; {@code result} is the task's parsed form (a moderation
 * verdict, labels with scores, extracted JSON, ...) and may be null for free generation.
 * {@code status} is always {@value #STATUS_OK}: failures go to the dead-letter topic instead.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResultEvent(
        @JsonProperty("id") String id,
        @JsonProperty("task") String task,
        @JsonProperty("status") String status,
        @JsonProperty("output") String output,
        @JsonProperty("result") JsonNode result,
        @JsonProperty("usage") Usage usage,
        @JsonProperty("timing_ms") Timing timingMs,
        @JsonProperty("model") String model,
        @JsonProperty("session") String session) {

    public static final String STATUS_OK = "ok";

    public ResultEvent {
        status = status == null ? STATUS_OK : status;
    }

    /** A successful result; {@code result} and {@code session} may be null. */
    public static ResultEvent ok(
            String id,
            String task,
            String output,
            JsonNode result,
            Usage usage,
            Timing timingMs,
            String model,
            String session) {
        return new ResultEvent(id, task, STATUS_OK, output, result, usage, timingMs, model, session);
    }
}
