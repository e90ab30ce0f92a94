package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One inference request read from the requests topic. {@code id} and {@code task} are always
 * present after {@link EventJson#readRequest(byte[])}; {@code session}, {@code text},
 * {@code video} and {@code audio} may be null; {@code images} is never null and {@code params} is
 * {@link RequestParams#NONE} when absent. {@code audio} is kept as raw JSON only so that a later
 * stage can reject it with {@link ErrorCode#UNSUPPORTED_MODALITY}. Unknown top-level fields are
 * ignored so producers can add metadata without breaking the job.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RequestEvent(
        @JsonProperty("id") String id,
        @JsonProperty("task") String task,
        @JsonProperty("session") String session,
        @JsonProperty("text") String text,

        @JsonProperty("images") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<EncodedImage> images,

        @JsonProperty("video") Video video,
        @JsonProperty("audio") JsonNode audio,
        @JsonProperty("params") RequestParams params) {

    public RequestEvent {
        images = images == null ? List.of() : List.copyOf(images);
        params = params == null ? RequestParams.NONE : params;
    }

    /** The key the inference operator partitions by: the session if there is one, else the id. */
    public String routingKey() {
        return session != null ? session : id;
    }
}
