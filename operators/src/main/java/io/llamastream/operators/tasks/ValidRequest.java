package io.llamastream.operators.tasks;

import io.llamastream.kafka.RecordSource;
import io.llamastream.operators.grammar.JsonSchemaCompiler;
import java.io.Serializable;
import java.util.List;

/**
 * A request that passed parse and validation, flattened into plain fields Flink serialises
 * without reflection surprises (no JSON trees): where it came from and its original bytes (for a
 * later dead-letter entry), the identity and text, and its parameters with unset numbers as -1
 * ({@code temperature}, {@code topP}) or 0 ({@code deadlineEpochMs}: no deadline). Images stay
 * base64 (already checked to decode) for the image-aware prompt encoder.
 */
public record ValidRequest(
        String topic,
        int partition,
        long offset,
        byte[] payload,
        String id,
        String task,
        String session,
        String text,
        String targetLanguage,
        String[] labels,
        String schemaJson,
        int maxTokens,
        double temperature,
        double topP,
        int topK,
        long seed,
        long deadlineEpochMs,
        String contextOverflow,
        String[] imagesBase64)
        implements Serializable {

    /** The inference operator's key: the session if there is one, else the id. */
    public String routingKey() {
        return session != null ? session : id;
    }

    /** The extraction schema's top-level keys in declared order, or null without a schema. */
    public List<String> schemaKeys() {
        return schemaJson == null ? null : JsonSchemaCompiler.topLevelKeys(JsonSchemaCompiler.compile(schemaJson));
    }

    public RecordSource source() {
        return new RecordSource(topic, partition, offset);
    }
}
