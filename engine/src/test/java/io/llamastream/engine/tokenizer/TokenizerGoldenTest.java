package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TokenizerGoldenTest {
    static List<TokenizerFixtures.Golden> o200kGoldens() {
        return TokenizerFixtures.goldens("tokenizer/o200k-golden.json");
    }

    static List<TokenizerFixtures.Golden> smallGoldens() {
        return TokenizerFixtures.goldens("tokenizer/small-bpe-golden.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("o200kGoldens")
    void o200kTokenizerJsonEncodesLikeTheReference(TokenizerFixtures.Golden golden) {
        assertArrayEquals(golden.ids(), TokenizerFixtures.o200k().encode(golden.text()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("o200kGoldens")
    void o200kDecodesGoldenIdsBackToTheText(TokenizerFixtures.Golden golden) {
        assertEquals(golden.decoded(), TokenizerFixtures.o200k().decode(golden.ids()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallGoldens")
    void smallBpeEncodesLikeTheReference(TokenizerFixtures.Golden golden) {
        assertArrayEquals(golden.ids(), TokenizerFixtures.smallBpe().encode(golden.text()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallGoldens")
    void smallBpeDecodesGoldenIdsBackToTheText(TokenizerFixtures.Golden golden) {
        assertEquals(golden.decoded(), TokenizerFixtures.smallBpe().decode(golden.ids()));
    }

    static List<TokenizerFixtures.Golden> llama3Goldens() {
        return TokenizerFixtures.goldens("llama3/llama3-tiny/golden.json", "tokenizer_cases");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama3Goldens")
    void llama3SplitPatternEncodesLikeTheReference(TokenizerFixtures.Golden golden) {
        assertArrayEquals(golden.ids(), TokenizerFixtures.llama3().encode(golden.text()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama3Goldens")
    void llama3DecodesGoldenIdsBackToTheText(TokenizerFixtures.Golden golden) {
        assertEquals(golden.decoded(), TokenizerFixtures.llama3().decode(golden.ids()));
    }
}
