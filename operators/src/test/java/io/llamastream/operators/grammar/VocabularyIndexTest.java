package io.llamastream.operators.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The indexed grammar mask equals the whole-vocabulary scan ({@link WholeVocabularyScan}, the
 * processor's algorithm before the index) on the real Llama 4 o200k vocabulary, over
 * random walks through several schemas, each state checked at three token budgets.
 */
class VocabularyIndexTest {
    static final String MIXED = GrammarRandomModelTest.SCHEMA;
    static final String STRINGS = "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}";
    static final String PRODUCT = JsonMatcherTest.PRODUCT_SCHEMA;
    static final String NUMBER = "{\"type\":\"number\"}";

    static Tokenizer tokenizer;
    static VocabularyIndex index;
    static int eot;
    static int[] singleByte = new int[256];

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.fromTokenizerJson(Fixtures.root().resolve("tokenizer/o200k-llama4-tokenizer.json"));
        index = new VocabularyIndex(tokenizer);
        eot = tokenizer.tokenId("<|eot|>");
        Arrays.fill(singleByte, -1);
        for (int id = 0; id < index.size(); id++) {
            byte[] b = index.bytes(id);
            if (b != null && b.length == 1 && singleByte[b[0] & 0xFF] < 0) {
                singleByte[b[0] & 0xFF] = id;
            }
        }
    }

    static boolean[] indexed(JsonGrammarProcessor processor, int[] generated, int count) {
        float[] logits = new float[tokenizer.vocabSize()];
        processor.process(logits, 0, logits.length, generated, count);
        boolean[] allowed = new boolean[logits.length];
        for (int id = 0; id < logits.length; id++) {
            allowed[id] = logits[id] != Float.NEGATIVE_INFINITY;
        }
        return allowed;
    }

    static int[] byteTokens(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = singleByte[b[i] & 0xFF];
        }
        return ids;
    }

    /**
     * Walks from a prefix (fed as single-byte tokens, so it may stop inside a UTF-8 character or an
     * escape), checking every state at a tight, a medium and an unlimited budget against the scan,
     * then taking a random allowed token (the tightest budget's, so every processor stays valid).
     * Returns the string-body state of each state checked (-1 outside strings).
     */
    static List<Integer> walk(String schemaJson, String prefix, long seed, int steps) throws Exception {
        SchemaNode schema = JsonMatcherTest.schema(schemaJson);
        Grammar grammar = new Grammar(schema, index);
        int[] start = byteTokens(prefix);
        JsonMatcher matcher = grammar.start();
        for (int id : start) {
            assertTrue(matcher.feedAll(index.bytes(id)), "prefix " + prefix);
        }
        int closing = start.length + 1 + matcher.minRemaining();
        int[] budgets = {closing + 6, closing + 60, 1_000_000};
        JsonGrammarProcessor[] processors = new JsonGrammarProcessor[budgets.length];
        for (int i = 0; i < budgets.length; i++) {
            processors[i] = new JsonGrammarProcessor(grammar, eot, budgets[i]);
        }
        int[] generated = Arrays.copyOf(start, start.length + steps);
        int count = start.length;
        Random random = new Random(seed);
        List<Integer> stringStates = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            stringStates.add(matcher.stringBodyState());
            boolean[] tightest = null;
            int[] scanned = WholeVocabularyScan.minRemaining(matcher, index, eot);
            for (int i = 0; i < budgets.length; i++) {
                boolean[] expected =
                        WholeVocabularyScan.allowed(scanned, eot, matcher.isComplete(), budgets[i] - count - 1);
                boolean[] actual = indexed(processors[i], generated, count);
                if (!Arrays.equals(expected, actual)) {
                    fail(schemaJson + " after " + new String(textOf(generated, count), StandardCharsets.UTF_8)
                            + " with budget " + budgets[i] + ": first difference " + firstDifference(expected, actual));
                }
                tightest = tightest == null ? actual : tightest;
            }
            List<Integer> choices = allowedIds(tightest);
            int next = choices.get(random.nextInt(choices.size()));
            if (next == eot) {
                break;
            }
            generated[count++] = next;
            assertTrue(matcher.feedAll(index.bytes(next)));
        }
        return stringStates;
    }

    static String firstDifference(boolean[] expected, boolean[] actual) {
        for (int id = 0; id < expected.length; id++) {
            if (expected[id] != actual[id]) {
                return "token " + id + " '"
                        + new String(
                                index.bytes(id) == null ? new byte[0] : index.bytes(id), StandardCharsets.ISO_8859_1)
                        + "' scan " + expected[id] + " index " + actual[id];
            }
        }
        return "none";
    }

    static List<Integer> allowedIds(boolean[] allowed) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < allowed.length; id++) {
            if (allowed[id]) {
                ids.add(id);
            }
        }
        return ids;
    }

    static byte[] textOf(int[] generated, int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append(new String(index.bytes(generated[i]), StandardCharsets.ISO_8859_1));
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void indexesEveryRegularTokenOfTheRealVocabulary() {
        assertEquals(202048, tokenizer.vocabSize());
        int regular = 0;
        long totalBytes = 0;
        for (int id = 0; id < index.size(); id++) {
            byte[] b = index.bytes(id);
            regular += b != null && b.length > 0 ? 1 : 0;
            totalBytes += b == null ? 0 : b.length;
        }
        assertTrue(regular > 199_000, "regular tokens: " + regular);
        // Shared prefixes are stored once: fewer nodes than bytes, more than tokens.
        assertTrue(index.trieNodes() > regular && index.trieNodes() < totalBytes / 2, "nodes " + index.trieNodes());
        for (int b = 0; b < 256; b++) {
            assertTrue(singleByte[b] >= 0, "no single-byte token for " + b);
        }
    }

    @Test
    void maskEqualsTheWholeVocabularyScanInObjectsNumbersAndEnums() throws Exception {
        List<Integer> seen = new ArrayList<>();
        seen.addAll(walk(MIXED, "", 1, 14));
        seen.addAll(walk(MIXED, "{\"name\": \"x\", \"score\": 1", 2, 10));
        seen.addAll(walk(MIXED, "{\"name\":\"a\",\"score\":-0.5e", 3, 8));
        seen.addAll(walk(MIXED, "{\"name\":\"\",\"ok\":tr", 4, 8));
        seen.addAll(walk(MIXED, "{\"name\":\"\",\"tags\": [\"red\", 7", 5, 8));
        seen.addAll(walk(PRODUCT, "{\"product\": \"mug\", \"rat", 6, 8));
        seen.addAll(walk(NUMBER, "", 7, 6));
        assertTrue(seen.stream().filter(s -> s < 0).count() >= 30, "states outside strings: " + seen);
    }

    @Test
    void maskEqualsTheWholeVocabularyScanInsideStrings() throws Exception {
        List<Integer> seen = new ArrayList<>();
        seen.addAll(walk(STRINGS, "[\"", 11, 8));
        seen.addAll(walk(STRINGS, "[\"caf\u00c3", 12, 4)); // one UTF-8 continuation byte owed
        seen.addAll(walk(STRINGS, "[\"\u00e2", 13, 4)); // two owed
        seen.addAll(walk(STRINGS, "[\"\u00f1", 14, 4)); // three owed
        seen.addAll(walk(STRINGS, "[\"a\\", 15, 4)); // after a backslash
        seen.addAll(walk(MIXED, "{\"name\": \"Ann", 16, 10));
        assertEquals(new TreeSet<>(List.of(-1, 0, 1, 2, 3, 4)), new TreeSet<>(seen));
        assertTrue(seen.size() >= 20, "states checked: " + seen);
    }

    @Test
    void aGrammarCachesOneEntryPerStateNotPerStep() throws Exception {
        SchemaNode schema = JsonMatcherTest.schema(STRINGS);
        Grammar grammar = new Grammar(schema, index);
        JsonGrammarProcessor processor = new JsonGrammarProcessor(grammar, eot, 1000);
        int[] generated = byteTokens("[\"abcdefgh");
        float[] logits = new float[tokenizer.vocabSize()];
        for (int count = 1; count <= generated.length; count++) {
            processor.process(logits, 0, logits.length, generated, count);
        }
        assertEquals(2, grammar.cachedStates()); // after "[" and inside the string body
    }
}
