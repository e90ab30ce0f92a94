package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TiktokenTest {
    private static Tokenizer plain;
    private static Tokenizer withSpecials;

    static synchronized Tokenizer plain() {
        if (plain == null) {
            plain = Tokenizer.fromTiktoken(
                    TokenizerFixtures.file("tokenizer/o200k_base.tiktoken"), SplitPattern.O200K, Map.of());
        }
        return plain;
    }

    /** The ranks file plus the special tokens the tokenizer.json declares, as Meta's loader would pass them. */
    static synchronized Tokenizer withSpecials() {
        if (withSpecials == null) {
            Map<String, Integer> specials = new LinkedHashMap<>();
            for (JsonNode t : Fixtures.json(TokenizerFixtures.file("tokenizer/o200k-llama4-tokenizer.json"))
                    .get("added_tokens")) {
                specials.put(t.get("content").asText(), t.get("id").asInt());
            }
            withSpecials = Tokenizer.fromTiktoken(
                    TokenizerFixtures.file("tokenizer/o200k_base.tiktoken"), SplitPattern.O200K, specials);
        }
        return withSpecials;
    }

    static List<TokenizerFixtures.Golden> goldensWithoutSpecialText() {
        return TokenizerFixtures.goldens("tokenizer/o200k-golden.json").stream()
                .filter(g -> !g.hasSpecialText())
                .toList();
    }

    static List<TokenizerFixtures.Golden> allGoldens() {
        return TokenizerFixtures.goldens("tokenizer/o200k-golden.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldensWithoutSpecialText")
    void ranksFileWithO200kPatternGivesTheGoldenIds(TokenizerFixtures.Golden golden) {
        assertArrayEquals(golden.ids(), plain().encode(golden.text()));
        assertEquals(golden.text(), plain().decode(golden.ids()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allGoldens")
    void ranksFileWithSpecialTokensMatchesTheTokenizerJson(TokenizerFixtures.Golden golden) {
        assertArrayEquals(golden.ids(), withSpecials().encode(golden.text()));
    }

    @Test
    void builtInO200kPatternIsTheOneInTheTokenizerJson() {
        JsonNode pre = Fixtures.json(TokenizerFixtures.file("tokenizer/o200k-llama4-tokenizer.json"))
                .get("pre_tokenizer");
        assertEquals(pre.get("pretokenizers").get(0).get("pattern").get("Regex").asText(), SplitPattern.O200K);
    }

    @Test
    void ranksFileVocabularyCoversAllRanks() {
        assertEquals(199_998, plain().vocabSize());
        assertEquals(13225, plain().tokenId("Hello"));
        assertEquals("Hello", plain().tokenText(13225));
    }

    @Test
    void specialTokenTextIsPlainTextWithoutSpecialTokens() {
        // Without a special-token map "<|eot|>" is ordinary characters, as tiktoken's encode_ordinary does.
        int[] ids = plain().encode("<|eot|>");
        assertEquals("<|eot|>", plain().decode(ids));
        assertEquals(true, ids.length > 1);
    }
}
