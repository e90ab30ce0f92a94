package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Prints encode/decode throughput on ~1 MB of mixed text. Only prints: timing assertions would be
 * flaky on shared CI machines. Run alone with {@code -Dtest=TokenizerThroughputTest}.
 */
class TokenizerThroughputTest {
    @Test
    void printsThroughputOnOneMegabyteOfMixedText() {
        long loadStart = System.nanoTime();
        Tokenizer t = Tokenizer.fromTokenizerJson(TokenizerFixtures.file("tokenizer/o200k-llama4-tokenizer.json"));
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        String text = ThroughputText.mixed(880_000, 7);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        int[] ids = null;
        for (int i = 0; i < 3; i++) {
            ids = t.encode(text); // warm-up: JIT and piece cache
        }
        String coldText = ThroughputText.mixed(880_000, 8); // other random words: fewer cache hits
        long start = System.nanoTime();
        int[] coldIds = t.encode(coldText);
        double coldSeconds = (System.nanoTime() - start) / 1e9;
        int runs = 5;
        start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            ids = t.encode(text);
        }
        double encodeSeconds = (System.nanoTime() - start) / 1e9 / runs;
        start = System.nanoTime();
        String decoded = null;
        for (int i = 0; i < runs; i++) {
            decoded = t.decode(ids);
        }
        double decodeSeconds = (System.nanoTime() - start) / 1e9 / runs;
        assertEquals(text, decoded);
        System.out.printf(
                "tokenizer throughput (o200k, loaded in %.2f s; %.2f MB, %d tokens): encode %.1f MB/s (%.0f ms), "
                        + "encode new words %.1f MB/s (%d tokens), decode %.1f MB/s%n",
                loadSeconds,
                mb,
                ids.length,
                mb / encodeSeconds,
                encodeSeconds * 1000,
                mb / coldSeconds,
                coldIds.length,
                mb / decodeSeconds);
    }
}
