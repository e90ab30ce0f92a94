package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Wall-clock milliseconds one request spent waiting for a batch slot ({@code queue}), in prompt
 * processing ({@code prefill}) and in generation ({@code decode}); {@code total} is measured end to
 * end by the inference operator and may exceed the sum of the three.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Timing(
        @JsonProperty("queue") long queue,
        @JsonProperty("prefill") long prefill,
        @JsonProperty("decode") long decode,
        @JsonProperty("total") long total) {}
