package io.llamastream.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.safetensors.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face {@code tokenizer.json} into a {@link Tokenizer}. Only the shape Llama 4 (and
 * GPT-4o-style byte-level BPE) uses is accepted; anything that would change the ids silently if
 * ignored (a normalizer, another model type, prefix spaces, stripping added tokens) is rejected
 * with a {@link ModelFormatException} naming the file and the offending field.
 */
final class TokenizerJsonLoader {
    private final Path file;

    private TokenizerJsonLoader(Path file) {
        this.file = file;
    }

    static Tokenizer load(Path file) {
        return new TokenizerJsonLoader(file).load();
    }

    private Tokenizer load() {
        JsonNode root = readJson();
        if (!root.isObject()) {
            throw fail("top level is not a JSON object");
        }
        JsonNode normalizer = root.path("normalizer");
        if (!normalizer.isMissingNode() && !normalizer.isNull()) {
            throw fail("normalizer of type " + normalizer.path("type").asText("?") + " is not supported (only null)");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw fail("missing 'model' object");
        }
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw fail("model type '" + (type.isEmpty() ? "(missing)" : type) + "' is not supported (only BPE)");
        }
        for (String unsupported : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonNode v = model.path(unsupported);
            if (!v.isMissingNode() && !v.isNull() && !v.asText().isEmpty()) {
                throw fail("model." + unsupported + " is not supported by byte-level BPE");
            }
        }
        Pattern split = readPreTokenizer(root.get("pre_tokenizer"));

        byte[][] tokenBytes = readVocab(model.get("vocab"));
        ByteSequenceTable vocab;
        try {
            vocab = ByteSequenceTable.indexOf(tokenBytes);
        } catch (IllegalArgumentException e) {
            throw fail("model.vocab: " + e.getMessage());
        }
        PairMergeTable merges = readMerges(model.get("merges"), vocab);
        Map<String, Integer> added = readAddedTokens(root.get("added_tokens"));
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
        return new Tokenizer(tokenBytes, vocab, merges, ignoreMerges, split, added);
    }

    private JsonNode readJson() {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer file: " + e, e);
        }
    }

    private byte[][] readVocab(JsonNode vocabNode) {
        if (vocabNode == null || !vocabNode.isObject()) {
            throw fail("missing 'model.vocab' object");
        }
        if (vocabNode.isEmpty()) {
            throw fail("model.vocab is empty");
        }
        int maxId = -1;
        for (JsonNode id : vocabNode) {
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0) {
                throw fail("model.vocab has a non-integer or negative id: " + id);
            }
            maxId = Math.max(maxId, id.asInt());
        }
        byte[][] tokenBytes = new byte[maxId + 1][];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            byte[] bytes = ByteLevelAlphabet.toBytes(e.getKey());
            if (bytes == null || bytes.length == 0) {
                throw fail("vocab token '" + e.getKey() + "' is not written in the ByteLevel alphabet");
            }
            int id = e.getValue().asInt();
            if (tokenBytes[id] != null) {
                throw fail("vocab id " + id + " is used by two tokens");
            }
            tokenBytes[id] = bytes;
        }
        return tokenBytes;
    }

    private PairMergeTable readMerges(JsonNode mergesNode, ByteSequenceTable vocab) {
        if (mergesNode == null || !mergesNode.isArray()) {
            throw fail("missing 'model.merges' array");
        }
        PairMergeTable table = new PairMergeTable(mergesNode.size());
        int rank = 0;
        for (JsonNode merge : mergesNode) {
            String left;
            String right;
            if (merge.isTextual()) {
                // The ByteLevel alphabet has no space character, so exactly one space separates the pair.
                String s = merge.asText();
                int space = s.indexOf(' ');
                if (space <= 0 || space != s.lastIndexOf(' ') || space == s.length() - 1) {
                    throw fail("merge #" + rank + " '" + s + "' is not two tokens separated by one space");
                }
                left = s.substring(0, space);
                right = s.substring(space + 1);
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                left = merge.get(0).asText();
                right = merge.get(1).asText();
            } else {
                throw fail("merge #" + rank + " is neither \"a b\" nor [\"a\", \"b\"]: " + merge);
            }
            int leftId = vocabId(vocab, left, rank);
            int rightId = vocabId(vocab, right, rank);
            int mergedId = vocabId(vocab, left + right, rank);
            table.add(leftId, rightId, rank, mergedId);
            rank++;
        }
        return table;
    }

    private int vocabId(ByteSequenceTable vocab, String token, int rank) {
        byte[] bytes = ByteLevelAlphabet.toBytes(token);
        int id = bytes == null ? -1 : vocab.get(bytes, 0, bytes.length);
        if (id < 0) {
            throw fail("merge #" + rank + " references unknown token '" + token + "'");
        }
        return id;
    }

    private Map<String, Integer> readAddedTokens(JsonNode addedNode) {
        Map<String, Integer> added = new LinkedHashMap<>();
        if (addedNode == null || addedNode.isNull()) {
            return added;
        }
        if (!addedNode.isArray()) {
            throw fail("'added_tokens' is not an array");
        }
        for (JsonNode t : addedNode) {
            JsonNode content = t.get("content");
            JsonNode id = t.get("id");
            if (content == null || !content.isTextual() || content.asText().isEmpty()
                    || id == null || !id.isIntegralNumber() || id.asInt() < 0) {
                throw fail("added token without a text 'content' and a non-negative 'id': " + t);
            }
            for (String flag : new String[] {"single_word", "lstrip", "rstrip"}) {
                if (t.path(flag).asBoolean(false)) {
                    throw fail("added token '" + content.asText() + "' sets " + flag + ", which is not supported");
                }
            }
            if (added.put(content.asText(), id.asInt()) != null) {
                throw fail("added token '" + content.asText() + "' is listed twice");
            }
        }
        return added;
    }

    /** Accepts Sequence[Split(pattern, Isolated), ByteLevel(use_regex=false)], or Split alone followed by nothing. */
    private Pattern readPreTokenizer(JsonNode pre) {
        if (pre == null || pre.isNull()) {
            throw fail("missing 'pre_tokenizer' (expected Split + ByteLevel)");
        }
        JsonNode[] steps;
        if ("Sequence".equals(pre.path("type").asText())) {
            JsonNode list = pre.path("pretokenizers");
            steps = new JsonNode[list.size()];
            for (int i = 0; i < list.size(); i++) {
                steps[i] = list.get(i);
            }
        } else {
            steps = new JsonNode[] {pre};
        }
        Pattern split = null;
        boolean byteLevel = false;
        for (JsonNode step : steps) {
            String type = step.path("type").asText("");
            if (type.equals("Split") && split == null && !byteLevel) {
                split = readSplit(step);
            } else if (type.equals("ByteLevel") && !byteLevel) {
                if (step.path("add_prefix_space").asBoolean(false)) {
                    throw fail("pre_tokenizer ByteLevel.add_prefix_space=true is not supported");
                }
                if (step.path("use_regex").asBoolean(true)) {
                    throw fail("pre_tokenizer ByteLevel.use_regex=true is not supported (expected a Split step with the regex)");
                }
                byteLevel = true;
            } else {
                throw fail("pre_tokenizer step '" + type + "' is not supported here (expected Split then ByteLevel)");
            }
        }
        if (split == null || !byteLevel) {
            throw fail("pre_tokenizer must be Split followed by ByteLevel");
        }
        return split;
    }

    private Pattern readSplit(JsonNode step) {
        if (!"Isolated".equals(step.path("behavior").asText())) {
            throw fail("pre_tokenizer Split behavior '" + step.path("behavior").asText() + "' is not supported (only Isolated)");
        }
        if (step.path("invert").asBoolean(false)) {
            throw fail("pre_tokenizer Split invert=true is not supported");
        }
        JsonNode pattern = step.path("pattern");
        try {
            if (pattern.hasNonNull("Regex")) {
                return SplitPattern.compile(pattern.get("Regex").asText());
            }
            if (pattern.hasNonNull("String")) {
                return Pattern.compile(Pattern.quote(pattern.get("String").asText()));
            }
        } catch (PatternSyntaxException e) {
            throw fail("pre_tokenizer Split regex does not compile in Java: " + e.getMessage());
        }
        throw fail("pre_tokenizer Split has no Regex or String pattern");
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(file, problem);
    }
}
