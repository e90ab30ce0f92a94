package io.llamastream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the JSON tree of a request into a {@link RequestEvent}, checking the shape field by field
 * so that every rejection names the exact path (e.g. {@code field 'images[2].base64' must be a
 * string}). Checks structure and simple ranges only; limits that depend on the job's configuration
 * (text length, image count, known tasks) belong to the validating operator. A JSON {@code null}
 * counts as absent. Unknown fields are ignored.
 */
final class RequestParser {

    private RequestParser() {}

    static RequestEvent parse(JsonNode root) {
        if (!root.isObject()) {
            throw invalid("the request must be a JSON object, got " + kind(root));
        }
        String id = readId(root);
        String task = null;
        try {
            task = requiredString(root, "task");
            String session = optionalString(root, "session");
            String text = optionalString(root, "text");
            List<EncodedImage> images = images(root.get("images"), "images");
            Video video = video(root.get("video"));
            JsonNode audio = present(root.get("audio")) ? root.get("audio") : null;
            RequestParams params = params(root.get("params"));
            return new RequestEvent(id, task, session, text, images, video, audio, params);
        } catch (InvalidEventException e) {
            throw e.withEvent(id, task != null ? task : peekString(root, "task"));
        }
    }

    private static String readId(JsonNode root) {
        JsonNode node = root.get("id");
        if (!present(node)) {
            throw new InvalidEventException(
                    ErrorCode.MISSING_ID, "field 'id' is missing", null, peekString(root, "task"), null);
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(
                    ErrorCode.INVALID_FIELD,
                    "field 'id' must be a string, got " + kind(node),
                    null,
                    peekString(root, "task"),
                    null);
        }
        if (node.asText().isBlank()) {
            throw new InvalidEventException(
                    ErrorCode.MISSING_ID, "field 'id' must not be blank", null, peekString(root, "task"), null);
        }
        return node.asText();
    }

    private static List<EncodedImage> images(JsonNode node, String path) {
        if (!present(node)) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid("field '" + path + "' must be an array, got " + kind(node));
        }
        List<EncodedImage> images = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String itemPath = path + "[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                throw invalid("field '" + itemPath + "' must be an object with a 'base64' string, got " + kind(item));
            }
            JsonNode base64 = item.get("base64");
            if (!present(base64)) {
                throw invalid("field '" + itemPath + ".base64' is missing");
            }
            if (!base64.isTextual()) {
                throw invalid("field '" + itemPath + ".base64' must be a string, got " + kind(base64));
            }
            images.add(new EncodedImage(base64.asText()));
        }
        return images;
    }

    private static Video video(JsonNode node) {
        if (!present(node)) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid("field 'video' must be an object, got " + kind(node));
        }
        List<EncodedImage> frames = images(node.get("frames"), "video.frames");
        String base64 = optionalString(node, "base64", "video.base64");
        if (frames.isEmpty() && base64 == null) {
            throw invalid("field 'video' must have 'frames' or 'base64'");
        }
        return new Video(frames, base64);
    }

    private static RequestParams params(JsonNode node) {
        if (!present(node)) {
            return RequestParams.NONE;
        }
        if (!node.isObject()) {
            throw invalid("field 'params' must be an object, got " + kind(node));
        }
        Integer maxTokens = optionalInt(node, "max_tokens", 1);
        Double temperature = optionalDouble(node, "temperature", 0.0, Double.MAX_VALUE, true);
        Double topP = optionalDouble(node, "top_p", 0.0, 1.0, false);
        Integer topK = optionalInt(node, "top_k", 0);
        Long seed = optionalLong(node, "seed", Long.MIN_VALUE);
        String targetLanguage = optionalString(node, "target_language", "params.target_language");
        List<String> labels = labels(node.get("labels"));
        ObjectNode schema = null;
        JsonNode schemaNode = node.get("schema");
        if (present(schemaNode)) {
            if (!schemaNode.isObject()) {
                throw invalid("field 'params.schema' must be a JSON object, got " + kind(schemaNode));
            }
            schema = (ObjectNode) schemaNode;
        }
        ContextOverflow overflow = null;
        JsonNode overflowNode = node.get("context_overflow");
        if (present(overflowNode)) {
            overflow = overflowNode.isTextual() ? ContextOverflow.fromWire(overflowNode.asText()) : null;
            if (overflow == null) {
                throw invalid("field 'params.context_overflow' must be one of \"reject\", \"truncate_head\", "
                        + "\"truncate_tail\", got " + overflowNode);
            }
        }
        Long deadlineMs = optionalLong(node, "deadline_ms", 0);
        return new RequestParams(
                maxTokens, temperature, topP, topK, seed, targetLanguage, labels, schema, overflow, deadlineMs);
    }

    private static List<String> labels(JsonNode node) {
        if (!present(node)) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid("field 'params.labels' must be an array of strings, got " + kind(node));
        }
        List<String> labels = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw invalid("field 'params.labels[" + i + "]' must be a string, got " + kind(item));
            }
            labels.add(item.asText());
        }
        return labels;
    }

    private static String requiredString(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        if (!present(node)) {
            throw invalid("field '" + name + "' is missing");
        }
        if (!node.isTextual()) {
            throw invalid("field '" + name + "' must be a string, got " + kind(node));
        }
        return node.asText();
    }

    private static String optionalString(JsonNode parent, String name) {
        return optionalString(parent, name, name);
    }

    private static String optionalString(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (!present(node)) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid("field '" + path + "' must be a string, got " + kind(node));
        }
        return node.asText();
    }

    private static Integer optionalInt(JsonNode params, String name, int min) {
        Long value = optionalLong(params, name, min);
        if (value == null) {
            return null;
        }
        if (value > Integer.MAX_VALUE) {
            throw invalid("field 'params." + name + "' must be at most " + Integer.MAX_VALUE + ", got " + value);
        }
        return value.intValue();
    }

    private static Long optionalLong(JsonNode params, String name, long min) {
        JsonNode node = params.get(name);
        if (!present(node)) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid("field 'params." + name + "' must be an integer, got " + kind(node));
        }
        long value = node.asLong();
        if (value < min) {
            throw invalid("field 'params." + name + "' must be at least " + min + ", got " + value);
        }
        return value;
    }

    private static Double optionalDouble(JsonNode params, String name, double min, double max, boolean minInclusive) {
        JsonNode node = params.get(name);
        if (!present(node)) {
            return null;
        }
        if (!node.isNumber()) {
            throw invalid("field 'params." + name + "' must be a number, got " + kind(node));
        }
        double value = node.asDouble();
        boolean aboveMin = minInclusive ? value >= min : value > min;
        if (!aboveMin || value > max || Double.isNaN(value)) {
            String range = max == Double.MAX_VALUE
                    ? (minInclusive ? ">= " : "> ") + min
                    : "in " + (minInclusive ? "[" : "(") + min + ", " + max + "]";
            throw invalid("field 'params." + name + "' must be " + range + ", got " + node);
        }
        return value;
    }

    private static String peekString(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }

    private static InvalidEventException invalid(String message) {
        return new InvalidEventException(ErrorCode.INVALID_FIELD, message);
    }
}
