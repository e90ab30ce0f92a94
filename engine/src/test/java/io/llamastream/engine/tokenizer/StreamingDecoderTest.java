package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    private static final String MULTI_BYTE = "emoji 🙂🚀👩‍💻 and CJK 你好，世界 こんにちは 한국어 ﬁ Ünïcödé";

    @Test
    void smallVocabularySplitsCharactersAcrossTokens() {
        // Precondition of the next tests: some token really ends mid-character.
        Tokenizer t = TokenizerFixtures.smallBpe();
        int[] ids = t.encode(MULTI_BYTE);
        boolean splitSomewhere = false;
        for (int id : ids) {
            byte[] b = t.tokenBytes(id);
            splitSomewhere |= StreamingDecoder.completePrefix(b, b.length) != b.length || (b[0] & 0xC0) == 0x80;
        }
        assertTrue(splitSomewhere);
    }

    @Test
    void pushesNeverEmitReplacementCharsOrLoneSurrogatesOnSmallVocabulary() {
        assertStreamsCleanly(TokenizerFixtures.smallBpe(), MULTI_BYTE);
    }

    @Test
    void pushesNeverEmitReplacementCharsOrLoneSurrogatesOnO200k() {
        assertStreamsCleanly(TokenizerFixtures.o200k(), MULTI_BYTE + " 🙂🙂🙂 你好你好 ");
    }

    @Test
    void specialTokensStreamAsTheirText() {
        Tokenizer t = TokenizerFixtures.o200k();
        StreamingDecoder d = t.streamingDecoder();
        assertEquals("<|eot|>", d.push(t.tokenId("<|eot|>")));
    }

    @Test
    void unfinishedCharacterIsHeldUntilFlushThenReplaced() {
        Tokenizer t = TokenizerFixtures.smallBpe();
        StreamingDecoder d = t.streamingDecoder();
        byte[] rocket = "🚀".getBytes(StandardCharsets.UTF_8);
        int firstByte = t.tokenId(ByteLevelAlphabet.toText(new byte[] {rocket[0]}));
        assertEquals("a", d.push(t.tokenId("a")));
        assertEquals("", d.push(firstByte));
        assertTrue(d.hasPending());
        assertEquals("\uFFFD", d.flush());
        assertFalse(d.hasPending());
        assertEquals("", d.flush());
    }

    @Test
    void completePrefixHoldsOnlyAnUnfinishedTrailingSequence() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 61 E2 82 AC
        assertEquals(4, StreamingDecoder.completePrefix(euro, 4));
        assertEquals(1, StreamingDecoder.completePrefix(euro, 3));
        assertEquals(1, StreamingDecoder.completePrefix(euro, 2));
        assertEquals(1, StreamingDecoder.completePrefix(euro, 1));
        byte[] stray = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertEquals(5, StreamingDecoder.completePrefix(stray, 5)); // nothing could complete these
        byte[] invalidLead = {(byte) 0xFF};
        assertEquals(1, StreamingDecoder.completePrefix(invalidLead, 1));
    }

    @Test
    void invalidBytesInTheMiddleMatchWholeDecode() {
        Tokenizer t = TokenizerFixtures.smallBpe();
        // A lone continuation byte and a lead byte cut short by ASCII, fed one byte-token at a time.
        int[] ids = {idOfByte(t, 0x80), t.tokenId("a"), idOfByte(t, 0xE2), idOfByte(t, 0x82), t.tokenId("b")};
        StreamingDecoder d = t.streamingDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(d.push(id));
        }
        out.append(d.flush());
        assertEquals(t.decode(ids), out.toString());
        assertEquals("\uFFFDa\uFFFDb", out.toString());
    }

    private static int idOfByte(Tokenizer t, int b) {
        return t.tokenId(ByteLevelAlphabet.toText(new byte[] {(byte) b}));
    }

    private static void assertStreamsCleanly(Tokenizer t, String text) {
        int[] ids = t.encode(text);
        StreamingDecoder d = t.streamingDecoder();
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            String chunk = d.push(id);
            assertFalse(chunk.contains("\uFFFD"), () -> "replacement char after id " + id + ": " + chunks);
            for (int i = 0; i < chunk.length(); i++) {
                char c = chunk.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    assertTrue(
                            i + 1 < chunk.length() && Character.isLowSurrogate(chunk.charAt(++i)),
                            "split surrogate pair");
                } else {
                    assertFalse(Character.isLowSurrogate(c), "lone low surrogate");
                }
            }
            chunks.add(chunk);
        }
        assertEquals("", d.flush());
        assertEquals(text, String.join("", chunks));
        assertEquals(t.decode(ids), String.join("", chunks));
    }
}
