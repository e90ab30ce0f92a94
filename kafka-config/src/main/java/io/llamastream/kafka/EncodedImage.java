package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One image (or video frame) inside a request, as base64 of the encoded file (PNG, JPEG, ...).
 * Decoding and format checks happen downstream; this type only carries the text.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EncodedImage(@JsonProperty("base64") String base64) {}
