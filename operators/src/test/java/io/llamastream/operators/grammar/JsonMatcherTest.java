package io.llamastream.operators.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonMatcherTest {
    static final String PRODUCT_SCHEMA = "{\"type\":\"object\",\"properties\":{\"product\":{\"type\":\"string\"},"
            + "\"rating\":{\"type\":\"integer\"}},\"required\":[\"product\",\"rating\"]}";

    static SchemaNode schema(String json) throws Exception {
        return JsonSchemaCompiler.compile(new ObjectMapper().readTree(json));
    }

    static JsonMatcher fed(SchemaNode s, String text) {
        JsonMatcher m = new JsonMatcher(s);
        return m.feedAll(text.getBytes(StandardCharsets.UTF_8)) ? m : null;
    }

    @Test
    void acceptsTheModelsExtractionFormatAsComplete() throws Exception {
        JsonMatcher m = fed(schema(PRODUCT_SCHEMA), "{\"product\": \"coffee maker\", \"rating\": 5}");
        assertTrue(m != null && m.isComplete());
        assertEquals(0, m.minRemaining());
    }

    @Test
    void rejectsKeysOutOfSchemaOrder() throws Exception {
        assertEquals(null, fed(schema(PRODUCT_SCHEMA), "{\"rating\""));
    }

    @Test
    void rejectsClosingBeforeARequiredKey() throws Exception {
        assertEquals(null, fed(schema(PRODUCT_SCHEMA), "{\"product\": \"x\"}"));
    }

    @Test
    void rejectsAFractionForAnInteger() throws Exception {
        assertEquals(null, fed(schema(PRODUCT_SCHEMA), "{\"product\": \"x\", \"rating\": 2."));
    }

    @Test
    void rejectsSecondSpace() throws Exception {
        assertEquals(null, fed(schema(PRODUCT_SCHEMA), "{\"product\":  "));
    }

    @Test
    void minRemainingCountsTheShortestCompletion() throws Exception {
        SchemaNode s = schema(PRODUCT_SCHEMA);
        assertEquals("{\"product\":\"\",\"rating\":0}".length(), new JsonMatcher(s).minRemaining());
        JsonMatcher m = fed(s, "{\"product\": \"lap");
        assertEquals("\",\"rating\":0}".length(), m.minRemaining());
        assertFalse(m.isComplete());
    }

    @Test
    void optionalPropertiesMayBeSkippedButNotReordered() throws Exception {
        SchemaNode s = schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"boolean\"},"
                + "\"b\":{\"enum\":[\"x\",\"y\"]},\"c\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}}},"
                + "\"required\":[\"c\"]}");
        assertTrue(fed(s, "{\"c\":[1.5e3, -0]}").isComplete());
        assertTrue(fed(s, "{\"a\":true,\"b\":\"y\",\"c\":[]}").isComplete());
        assertEquals(null, fed(s, "{\"b\":\"y\",\"a\""));
        assertEquals(null, fed(s, "{\"b\":\"z"));
    }

    @Test
    void rootNumberIsCompleteButMayGrow() throws Exception {
        JsonMatcher m = fed(schema("{\"type\":\"number\"}"), "12");
        assertTrue(m.isComplete());
        assertTrue(m.copy().feed('3'));
    }

    @Test
    void unsupportedKeywordIsRejectedNamingThePath() {
        UnsupportedSchemaException e = assertThrows(
                UnsupportedSchemaException.class,
                () -> schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"x\"}}}"));
        assertTrue(
                e.getMessage().contains("schema.properties.a") && e.getMessage().contains("pattern"), e.getMessage());
    }
}
