package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Token counts of one request: prompt tokens (including the {@code cached_tokens} served from the
 * prefix cache, so {@code cached_tokens <= prompt_tokens}) and generated tokens.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(
        @JsonProperty("prompt_tokens") int promptTokens,
        @JsonProperty("cached_tokens") int cachedTokens,
        @JsonProperty("completion_tokens") int completionTokens) {}
