package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Optional generation parameters of a request; every field is null when the request did not set
 * it (the job then applies its defaults), except {@code labels}, which is empty. {@code schema} is
 * a JSON Schema object for extraction tasks; {@code deadline_ms} is an absolute deadline in
 * milliseconds since the Unix epoch.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RequestParams(
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("seed") Long seed,
        @JsonProperty("target_language") String targetLanguage,

        @JsonProperty("labels") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> labels,

        @JsonProperty("schema") ObjectNode schema,
        @JsonProperty("context_overflow") ContextOverflow contextOverflow,
        @JsonProperty("deadline_ms") Long deadlineMs) {

    /** No parameters set. */
    public static final RequestParams NONE =
            new RequestParams(null, null, null, null, null, null, List.of(), null, null, null);

    public RequestParams {
        labels = labels == null ? List.of() : List.copyOf(labels);
    }
}
