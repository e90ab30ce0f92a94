package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a dead-lettered record came from: its topic, partition and offset, enough to find the
 * original record again (while the topic's retention keeps it).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecordSource(
        @JsonProperty("topic") String topic,
        @JsonProperty("partition") int partition,
        @JsonProperty("offset") long offset) {}
