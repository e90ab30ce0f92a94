package io.llamastream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class EventSchemasTest {

    private static Set<String> wireNames(Class<?> record) {
        return Arrays.stream(record.getRecordComponents())
                .map(EventSchemasTest::wireName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String wireName(RecordComponent c) {
        // @JsonProperty cannot target record components; javac propagates it to the accessor.
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        return p != null ? p.value() : c.getName();
    }

    private static Set<String> propertyNames(JsonNode schemaObject) {
        Set<String> names = new TreeSet<>();
        schemaObject.get("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertRequiredAreProperties(JsonNode schemaObject) {
        Set<String> properties = propertyNames(schemaObject);
        for (JsonNode required : schemaObject.path("required")) {
            assertTrue(properties.contains(required.asText()), "required '" + required.asText() + "' has no property");
        }
    }

    @Test
    void everySchemaDeclaresDraft202012() {
        for (ObjectNode schema : List.of(EventSchemas.request(), EventSchemas.result(), EventSchemas.deadLetter())) {
            assertEquals(
                    "https://json-schema.org/draft/2020-12/schema",
                    schema.get("$schema").asText());
        }
    }

    @Test
    void requestSchemaPropertiesMatchRecordComponents() {
        ObjectNode schema = EventSchemas.request();
        assertEquals(wireNames(RequestEvent.class), propertyNames(schema));
        assertEquals(wireNames(RequestParams.class), propertyNames(schema.at("/properties/params")));
        assertEquals(wireNames(Video.class), propertyNames(schema.at("/properties/video")));
        assertEquals(wireNames(EncodedImage.class), propertyNames(schema.at("/$defs/encodedImage")));
        assertEquals(List.of("id", "task"), names(schema.get("required")));
        assertRequiredAreProperties(schema);
    }

    @Test
    void resultSchemaPropertiesMatchRecordComponents() {
        ObjectNode schema = EventSchemas.result();
        assertEquals(wireNames(ResultEvent.class), propertyNames(schema));
        assertEquals(wireNames(Usage.class), propertyNames(schema.at("/properties/usage")));
        assertEquals(wireNames(Timing.class), propertyNames(schema.at("/properties/timing_ms")));
        assertRequiredAreProperties(schema);
        assertRequiredAreProperties(schema.at("/properties/usage"));
        assertRequiredAreProperties(schema.at("/properties/timing_ms"));
    }

    @Test
    void deadLetterSchemaPropertiesMatchRecordComponents() {
        ObjectNode schema = EventSchemas.deadLetter();
        assertEquals(wireNames(DeadLetterEvent.class), propertyNames(schema));
        assertEquals(wireNames(RecordSource.class), propertyNames(schema.at("/properties/source")));
        assertRequiredAreProperties(schema);
    }

    @Test
    void deadLetterSchemaListsExactlyTheErrorCodes() {
        List<String> codes = Arrays.stream(ErrorCode.values()).map(Enum::name).toList();
        assertEquals(codes, names(EventSchemas.deadLetter().at("/properties/error_code/enum")));
    }

    @Test
    void contextOverflowEnumMatchesWireValues() {
        List<String> schemaValues =
                names(EventSchemas.request().at("/properties/params/properties/context_overflow/enum")).stream()
                        .filter(v -> !v.equals("null"))
                        .toList();
        assertEquals(
                Arrays.stream(ContextOverflow.values())
                        .map(ContextOverflow::wireValue)
                        .toList(),
                schemaValues);
    }

    @Test
    void sampleRequestConforms() {
        assertConforms(EventSchemas.request(), EventJson.write(SampleEvents.request()));
    }

    @Test
    void sampleResultConforms() {
        assertConforms(EventSchemas.result(), EventJson.write(SampleEvents.result()));
    }

    @Test
    void sampleDeadLetterConforms() {
        assertConforms(EventSchemas.deadLetter(), EventJson.write(SampleEvents.deadLetter()));
    }

    @Test
    void schemaCheckerIsNotVacuous() {
        MiniSchemaValidator validator = new MiniSchemaValidator(EventSchemas.request());
        List<String> errors = validator.validate(EventJson.readTree(
                "{\"task\":5,\"images\":[{\"base64\":1}],\"params\":{\"top_p\":0,\"context_overflow\":\"x\"}}"
                        .getBytes()));
        assertEquals(5, errors.size(), errors.toString());
    }

    @Test
    void unknownTypeHasNoSchema() {
        assertThrows(IllegalArgumentException.class, () -> EventSchemas.forType(String.class));
        assertFalse(EventSchemas.forType(ResultEvent.class).isEmpty());
    }

    private static void assertConforms(ObjectNode schema, byte[] json) {
        List<String> errors = new MiniSchemaValidator(schema).validate(EventJson.readTree(json));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    private static List<String> names(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }
}
