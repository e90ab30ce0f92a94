package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytePairEncoderTest {
    /** Long pieces take the heap path; it must give exactly what the plain scan gives. */
    @Test
    void heapAndScanAgreeOnRandomPiecesForMergeTables() {
        assertHeapMatchesScan(pairEncoder(), 0x7EA);
    }

    @Test
    void heapAndScanAgreeOnRandomPiecesForRanks() {
        assertHeapMatchesScan(rankEncoder(), 0xB0B);
    }

    @Test
    void longPieceThroughTheHeapEqualsTiktokenAndTokenizerJson() {
        String longWord = "a".repeat(5000) + "supercalifragilistic".repeat(300);
        int[] viaJson = TokenizerFixtures.o200k().encode(longWord);
        int[] viaRanks = TiktokenTest.plain().encode(longWord);
        assertArrayEquals(viaRanks, viaJson);
        assertEquals(longWord, TokenizerFixtures.o200k().decode(viaJson));
    }

    @Test
    void randomMixedTextGivesSameIdsFromRanksFileAndTokenizerJson() {
        String text = ThroughputText.mixed(200_000, 42);
        assertArrayEquals(
                TiktokenTest.plain().encode(text), TokenizerFixtures.o200k().encode(text));
    }

    @Test
    void unicodeWhitespaceIsWhitespaceForTheSplitRegex() {
        // With ASCII-only \s, "a\u3000\u3000b" would split differently and produce other ids.
        Tokenizer t = TokenizerFixtures.o200k();
        int[] ids = t.encode("a\u3000\u3000b");
        assertEquals("a\u3000\u3000b", t.decode(ids));
        assertEquals(t.tokenId("a"), ids[0]);
        assertEquals(
                ByteLevelAlphabet.toText("\u3000".getBytes(StandardCharsets.UTF_8)),
                t.tokenText(ids[1]).substring(0, 3));
    }

    /** The small vocabulary's merges, rebuilt from its file (the tokenizer keeps its encoder private). */
    private static BytePairEncoder pairEncoder() {
        Tokenizer t = TokenizerFixtures.smallBpe();
        byte[][] bytes = new byte[2048][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = t.tokenBytes(i);
        }
        ByteSequenceTable vocab = ByteSequenceTable.indexOf(bytes);
        JsonNode merges = Fixtures.json(TokenizerFixtures.file("tokenizer/small-bpe-tokenizer.json"))
                .get("model")
                .get("merges");
        PairMergeTable table = new PairMergeTable(merges.size());
        int rank = 0;
        for (JsonNode pair : merges) {
            String a = pair.get(0).asText();
            String b = pair.get(1).asText();
            table.add(t.tokenId(a), t.tokenId(b), rank++, t.tokenId(a + b));
        }
        return new BytePairEncoder(byteIds(vocab), vocab, table, false);
    }

    private static BytePairEncoder rankEncoder() {
        Tokenizer plain = TiktokenTest.plain();
        byte[][] bytes = new byte[plain.vocabSize()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = plain.tokenBytes(i);
        }
        ByteSequenceTable ranks = ByteSequenceTable.indexOf(bytes);
        return new BytePairEncoder(byteIds(ranks), ranks, new RankMergeRule(ranks), false);
    }

    private static int[] byteIds(ByteSequenceTable table) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            ids[b] = table.get(new byte[] {(byte) b}, 0, 1);
        }
        return ids;
    }

    private static void assertHeapMatchesScan(BytePairEncoder encoder, long seed) {
        Random random = new Random(seed);
        String[] alphabet = {"a", "b", "e", "t", "h", "in", "er", " ", "é", "你", "🙂", "0"};
        for (int round = 0; round < 200; round++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(300);
            for (int i = 0; i < n; i++) {
                sb.append(alphabet[random.nextInt(alphabet.length)]);
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(encoder.scan(bytes, bytes.length), encoder.heap(bytes, bytes.length), sb::toString);
        }
    }
}
