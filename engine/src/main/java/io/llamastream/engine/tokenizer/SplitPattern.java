package io.llamastream.engine.tokenizer;

import java.util.regex.Pattern;

/**
 * The pre-tokenizer regex that cuts text into pieces before BPE. The reference engines (Oniguruma
 * in Hugging Face tokenizers, fancy-regex in tiktoken) give {@code \s}, {@code \w} and POSIX
 * classes their Unicode meaning, so patterns are compiled with
 * {@link Pattern#UNICODE_CHARACTER_CLASS}; without it Java treats NBSP or U+3000 as non-space and
 * splits such text differently. The syntax these tokenizer patterns use ({@code \p{..}}
 * categories, lookahead, possessive and {@code (?i:)} groups) means the same in Java, so no
 * rewriting is needed.
 */
public final class SplitPattern {
    /** The o200k_base pattern, which Llama 4 uses (also in Meta's {@code tokenizer.model} loader). */
    public static final String O200K = String.join(
            "|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
                    + "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    /** Llama 3's pattern (3.1, 3.2, 3.3, Llama Guard 3; GGUF pre-tokenizer {@code llama-bpe}). */
    public static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private SplitPattern() {}

    /** Compiles a reference pattern with Unicode semantics; throws PatternSyntaxException if Java rejects it. */
    public static Pattern compile(String pattern) {
        return Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
    }
}
