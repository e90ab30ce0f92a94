package io.llamastream.engine.tokenizer;

import java.util.Random;

/** Builds reproducible mixed-script text (prose-like words, numbers, code, CJK, emoji) for speed and agreement checks. */
final class ThroughputText {
    private static final String[] WORDS = {
        "the", "stream", "of", "events", "Flink", "operator", "tokenizer", "Llama", "model", "inference",
        "récemment", "dévoilé", "modèles", "über", "Straße", "naïve", "Ünïcödé", "I'll", "DON'T", "we'd",
        "你好", "世界", "こんにちは", "한국어", "العربية", "עברית", "🙂", "🚀", "👩‍💻", "print(f(x))",
        "x**2", "https://example.com/a?b=c", "a.b@c.org", "\n", "\n\n", "\t", "   ", "\u00a0", "\u3000", "...",
    };

    private ThroughputText() {}

    /** About {@code chars} characters; random letters are mixed in so not every piece is a cache hit. */
    static String mixed(int chars, long seed) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 64);
        while (sb.length() < chars) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                sb.append(WORDS[random.nextInt(WORDS.length)]);
            } else if (kind < 8) {
                int len = 2 + random.nextInt(9);
                for (int i = 0; i < len; i++) {
                    sb.append((char) ('a' + random.nextInt(26)));
                }
            } else {
                sb.append(random.nextInt(1_000_000));
            }
            sb.append(random.nextInt(8) == 0 ? ", " : " ");
        }
        return sb.toString();
    }
}
