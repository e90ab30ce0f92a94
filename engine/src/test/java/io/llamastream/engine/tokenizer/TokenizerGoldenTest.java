package io.llamastream.engine.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenizerGoldenTest {
    static List<Fixtures.Golden> o200kGoldens() {
        return Fixtures.goldens("tokenizer/o200k-golden.json");
    }

    static List<Fixtures.Golden> smallGoldens() {
        return Fixtures.goldens("tokenizer/small-bpe-golden.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("o200kGoldens")
    void o200kTokenizerJsonEncodesLikeTheReference(Fixtures.Golden golden) {
        assertArrayEquals(golden.ids(), Fixtures.o200k().encode(golden.text()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("o200kGoldens")
    void o200kDecodesGoldenIdsBackToTheText(Fixtures.Golden golden) {
        assertEquals(golden.decoded(), Fixtures.o200k().decode(golden.ids()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallGoldens")
    void smallBpeEncodesLikeTheReference(Fixtures.Golden golden) {
        assertArrayEquals(golden.ids(), Fixtures.smallBpe().encode(golden.text()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallGoldens")
    void smallBpeDecodesGoldenIdsBackToTheText(Fixtures.Golden golden) {
        assertEquals(golden.decoded(), Fixtures.smallBpe().decode(golden.ids()));
    }
}
