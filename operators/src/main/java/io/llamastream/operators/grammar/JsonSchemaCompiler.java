package io.llamastream.operators.grammar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.operators.grammar.SchemaNode.ArraySchema;
import io.llamastream.operators.grammar.SchemaNode.LiteralSchema;
import io.llamastream.operators.grammar.SchemaNode.NumberSchema;
import io.llamastream.operators.grammar.SchemaNode.ObjectSchema;
import io.llamastream.operators.grammar.SchemaNode.Property;
import io.llamastream.operators.grammar.SchemaNode.StringSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON Schema object into a {@link SchemaNode}, accepting only the subset the grammar
 * can enforce ({@code type} object/array/string/number/integer/boolean, {@code properties},
 * {@code required}, {@code items}, {@code enum}) and rejecting anything else with an
 * {@link UnsupportedSchemaException} naming the path, so a request never gets a grammar that
 * silently ignores part of its schema. Keywords that only annotate (title, description) are allowed.
 */
public final class JsonSchemaCompiler {
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "additionalProperties");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonSchemaCompiler() {}

    public static SchemaNode compile(JsonNode schema) {
        return compile(schema, "schema");
    }

    /** Compiles a schema given as JSON text (already validated upstream, so malformed text is a bug). */
    public static SchemaNode compile(String schemaJson) {
        try {
            return compile(MAPPER.readTree(schemaJson));
        } catch (IOException e) {
            throw new IllegalStateException("schema was validated upstream", e);
        }
    }

    /** The top-level property names in declared order (empty unless the schema is an object). */
    public static List<String> topLevelKeys(SchemaNode node) {
        if (node instanceof ObjectSchema o) {
            return o.properties().stream().map(Property::name).toList();
        }
        return List.of();
    }

    private static SchemaNode compile(JsonNode s, String path) {
        if (s == null || !s.isObject()) {
            throw new UnsupportedSchemaException(path + " must be a JSON object");
        }
        if (s.has("enum")) {
            return literals(s.get("enum"), path);
        }
        JsonNode typeNode = s.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new UnsupportedSchemaException(
                    path + ".type must be one of object, array, string, number, " + "integer, boolean (or use enum)");
        }
        String type = typeNode.asText();
        Set<String> allowed = new HashSet<>(ANNOTATIONS);
        allowed.add("type");
        SchemaNode node = switch (type) {
            case "object" -> {
                allowed.add("properties");
                allowed.add("required");
                yield object(s, path);
            }
            case "array" -> {
                allowed.add("items");
                if (!s.has("items")) {
                    throw new UnsupportedSchemaException(path + ": an array needs 'items'");
                }
                yield new ArraySchema(compile(s.get("items"), path + ".items"));
            }
            case "string" -> new StringSchema();
            case "number" -> new NumberSchema(false);
            case "integer" -> new NumberSchema(true);
            case "boolean" -> new LiteralSchema(List.of("true", "false"));
            default -> throw new UnsupportedSchemaException(path + ".type '" + type + "' is not supported");
        };
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new UnsupportedSchemaException(path + ": keyword '" + k + "' is not supported");
            }
        }
        return node;
    }

    private static SchemaNode object(JsonNode s, String path) {
        JsonNode props = s.get("properties");
        if (props == null || !props.isObject() || props.isEmpty()) {
            throw new UnsupportedSchemaException(path + ": an object needs non-empty 'properties'");
        }
        Set<String> required = new HashSet<>();
        JsonNode req = s.get("required");
        if (req != null) {
            if (!req.isArray()) {
                throw new UnsupportedSchemaException(path + ".required must be an array of names");
            }
            req.forEach(r -> required.add(r.asText()));
        }
        List<Property> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            // Names are matched byte by byte inside quotes: keep them free of escapes.
            if (name.isEmpty() || name.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20 || c > 0x7e)) {
                throw new UnsupportedSchemaException(
                        path + ": property name '" + name + "' must be printable ASCII without quotes or backslashes");
            }
            out.add(new Property(name, compile(e.getValue(), path + ".properties." + name), required.remove(name)));
        }
        if (!required.isEmpty()) {
            throw new UnsupportedSchemaException(path + ".required names unknown properties " + required);
        }
        return new ObjectSchema(List.copyOf(out));
    }

    private static SchemaNode literals(JsonNode values, String path) {
        if (!values.isArray() || values.isEmpty()) {
            throw new UnsupportedSchemaException(path + ".enum must be a non-empty array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : values) {
            if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
                throw new UnsupportedSchemaException(path + ".enum values must be strings, numbers or booleans");
            }
            try {
                // One char per UTF-8 byte, so the matcher compares literals byte by byte.
                byte[] utf8 = MAPPER.writeValueAsBytes(v);
                out.add(new String(utf8, StandardCharsets.ISO_8859_1));
            } catch (JsonProcessingException e) {
                throw new UnsupportedSchemaException(path + ".enum: " + e.getMessage());
            }
        }
        return new LiteralSchema(List.copyOf(out));
    }
}
