package io.llamastream.engine.checkpoint.gguf;

import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.SplitPattern;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tokenizer a GGUF file carries in {@code tokenizer.ggml.*}: a gpt2-style byte-level BPE
 * (tokens by id, token types, merges) whose pre-tokenizer regex is named by
 * {@code tokenizer.ggml.pre}. Control and user-defined tokens become added (special) tokens,
 * unused ones (padding fillers) are left out. Other tokenizer models or an unknown pre-tokenizer
 * are refused naming the file and the value.
 */
public final class GgufTokenizer {
    /** ggml token types (llama.cpp's {@code llama_token_type}). */
    private static final int UNUSED = 5;

    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    /** {@code tokenizer.ggml.pre} names and the split regexes they stand for. */
    private static final Map<String, String> PRE_TOKENIZERS =
            Map.of("llama4", SplitPattern.O200K, "llama-bpe", SplitPattern.LLAMA3);

    private GgufTokenizer() {}

    public static Tokenizer read(GgufFile file) {
        GgufMetadata md = file.metadata();
        String model = md.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw md.fail("tokenizer.ggml.model '" + model + "' is not supported (only gpt2 byte-level BPE)");
        }
        String pre = md.string("tokenizer.ggml.pre");
        String pattern = PRE_TOKENIZERS.get(pre);
        if (pattern == null) {
            throw md.fail("tokenizer.ggml.pre '" + pre + "' is not supported (known: " + PRE_TOKENIZERS.keySet() + ")");
        }
        String[] tokens = md.strings("tokenizer.ggml.tokens");
        long[] types = md.has("tokenizer.ggml.token_type") ? md.longs("tokenizer.ggml.token_type") : new long[0];
        if (types.length != 0 && types.length != tokens.length) {
            throw md.fail(
                    "tokenizer.ggml.token_type has " + types.length + " entries for " + tokens.length + " tokens");
        }
        List<String> regular = new ArrayList<>(tokens.length);
        int[] ids = new int[tokens.length];
        Map<String, Integer> added = new LinkedHashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            long type = types.length == 0 ? 1 : types[id];
            if (type == UNUSED) {
                continue;
            }
            if (type == CONTROL || type == USER_DEFINED) {
                added.put(tokens[id], id);
            } else {
                ids[regular.size()] = id;
                regular.add(tokens[id]);
            }
        }
        List<String> merges =
                md.has("tokenizer.ggml.merges") ? Arrays.asList(md.strings("tokenizer.ggml.merges")) : List.of();
        return Tokenizer.fromByteLevelBpe(
                regular,
                Arrays.copyOf(ids, regular.size()),
                merges,
                added,
                pattern,
                problem -> md.fail("tokenizer.ggml: " + problem));
    }

    /** The file's {@code tokenizer.chat_template}, with its BOS and EOS tokens, if it has one. */
    public static Optional<ChatTemplate> chatTemplate(GgufFile file, Tokenizer tokenizer) {
        GgufMetadata md = file.metadata();
        if (!md.has("tokenizer.chat_template")) {
            return Optional.empty();
        }
        String bos = md.has("tokenizer.ggml.bos_token_id")
                ? tokenizer.tokenText(md.uint("tokenizer.ggml.bos_token_id"))
                : null;
        String eos = md.has("tokenizer.ggml.eos_token_id")
                ? tokenizer.tokenText(md.uint("tokenizer.ggml.eos_token_id"))
                : null;
        return Optional.of(ChatTemplate.of(md.string("tokenizer.chat_template"), tokenizer, bos, eos));
    }
}
