package io.llamastream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The JSON Schemas (draft 2020-12) of the three event types, shipped as classpath resources under
 * {@code /schemas/} ({@code request.schema.json}, {@code result.schema.json},
 * {@code dead-letter.schema.json}) so they can be published to a schema registry or handed to
 * producers. Each call returns a fresh copy the caller may modify.
 */
public final class EventSchemas {

    public static final String REQUEST_RESOURCE = "/schemas/request.schema.json";
    public static final String RESULT_RESOURCE = "/schemas/result.schema.json";
    public static final String DEAD_LETTER_RESOURCE = "/schemas/dead-letter.schema.json";

    private static final Map<Class<?>, String> RESOURCES = Map.of(
            RequestEvent.class, REQUEST_RESOURCE,
            ResultEvent.class, RESULT_RESOURCE,
            DeadLetterEvent.class, DEAD_LETTER_RESOURCE);

    private EventSchemas() {}

    public static ObjectNode request() {
        return load(REQUEST_RESOURCE);
    }

    public static ObjectNode result() {
        return load(RESULT_RESOURCE);
    }

    public static ObjectNode deadLetter() {
        return load(DEAD_LETTER_RESOURCE);
    }

    /** The schema of {@link RequestEvent}, {@link ResultEvent} or {@link DeadLetterEvent}. */
    public static ObjectNode forType(Class<?> eventType) {
        String resource = RESOURCES.get(eventType);
        if (resource == null) {
            throw new IllegalArgumentException(
                    "no schema for " + eventType.getName() + "; known: RequestEvent, ResultEvent, DeadLetterEvent");
        }
        return load(resource);
    }

    private static ObjectNode load(String resource) {
        try (InputStream in = EventSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the classpath");
            }
            JsonNode schema = EventJson.newObjectMapper().readTree(in);
            if (!schema.isObject()) {
                throw new IllegalStateException("schema resource " + resource + " is not a JSON object");
            }
            return (ObjectNode) schema;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + resource, e);
        }
    }
}
