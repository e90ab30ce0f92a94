package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The video part of a request: already-sampled frames, and optionally the whole clip as base64 of
 * an MP4 file ({@code base64}, null when absent). {@code frames} is never null (empty when absent).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Video(
        @JsonProperty("frames") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<EncodedImage> frames,

        @JsonProperty("base64") String base64) {

    public Video {
        frames = frames == null ? List.of() : List.copyOf(frames);
    }
}
