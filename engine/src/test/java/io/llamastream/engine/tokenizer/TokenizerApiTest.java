package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TokenizerApiTest {
    @Test
    void specialTokenIdsComeFromTheFile() {
        Tokenizer t = TokenizerFixtures.o200k();
        assertEquals(200000, t.tokenId("<|begin_of_text|>"));
        assertEquals(200008, t.tokenId("<|eot|>"));
        assertEquals(200092, t.tokenId("<|patch|>"));
        assertEquals(2048, TokenizerFixtures.smallBpe().tokenId("<|begin_of_text|>"));
    }

    @Test
    void unknownTokenErrorNamesTheToken() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TokenizerFixtures.o200k().tokenId("<|no_such|>"));
        assertTrue(e.getMessage().contains("<|no_such|>"), e.getMessage());
        assertFalse(TokenizerFixtures.o200k().hasToken("<|no_such|>"));
        assertTrue(TokenizerFixtures.o200k().hasToken("<|eot|>"));
    }

    @Test
    void regularTokensAreNamedInTheByteLevelAlphabet() {
        Tokenizer t = TokenizerFixtures.o200k();
        assertEquals(2375, t.tokenId("Ġworld"));
        assertEquals("Ġworld", t.tokenText(2375));
        assertEquals("<|eot|>", t.tokenText(200008));
        assertTrue(t.isAddedToken(200008));
        assertFalse(t.isAddedToken(2375));
    }

    @Test
    void vocabSizeCountsRegularAndAddedTokens() {
        assertEquals(202_048, TokenizerFixtures.o200k().vocabSize());
        assertEquals(2_176, TokenizerFixtures.smallBpe().vocabSize());
    }

    @Test
    void encodePrependsNothing() {
        assertArrayEquals(new int[] {13225, 2375}, TokenizerFixtures.o200k().encode("Hello world"));
        assertArrayEquals(new int[0], TokenizerFixtures.o200k().encode(""));
    }

    @Test
    void encodeOrdinaryTreatsSpecialTextAsCharacters() {
        Tokenizer t = TokenizerFixtures.o200k();
        int[] ids = t.encodeOrdinary("<|eot|>");
        assertTrue(ids.length > 1);
        assertEquals("<|eot|>", t.decode(ids));
        assertArrayEquals(new int[] {200008}, t.encode("<|eot|>"));
    }

    @Test
    void longestAddedTokenWinsWhenOneIsAPrefixOfAnother() {
        // <|image|> and <|image_start|> share "<|image"; the literal match must not stop early.
        Tokenizer t = TokenizerFixtures.o200k();
        assertArrayEquals(new int[] {200080, 200090, 200081}, t.encode("<|image_start|><|image|><|image_end|>"));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TokenizerFixtures.o200k().decode(new int[] {-1}));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> TokenizerFixtures.o200k().decode(new int[] {202_048}));
    }

    @Test
    void loneSurrogateIsEncodedAsReplacementCharacter() {
        Tokenizer t = TokenizerFixtures.o200k();
        assertEquals("a\uFFFDb", t.decode(t.encode("a\uD800b")));
    }

    @Test
    void concurrentEncodersShareTheCacheSafely() throws Exception {
        Tokenizer t = Tokenizer.fromTokenizerJson(TokenizerFixtures.file("tokenizer/small-bpe-tokenizer.json"));
        String text = ThroughputText.mixed(50_000, 3);
        int[] expected = TokenizerFixtures.smallBpe().encode(text);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> t.encode(text)));
            }
            for (Future<int[]> r : results) {
                assertArrayEquals(expected, r.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
