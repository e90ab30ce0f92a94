package io.llamastream.engine.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.checkpoint.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * The BPE model as parsed: vocab and merges straight into compact lists (a JSON tree of o200k's
     * 446k merges costs seconds and hundreds of MB), every other model field as a small tree.
     */
    private static final class RawModel {
        final ObjectNode settings = MAPPER.createObjectNode();
        List<String> vocabTokens;
        IdList vocabIds;
        List<String> mergeLeft;
        List<String> mergeRight;
    }

    private Tokenizer load() {
        ObjectNode root = MAPPER.createObjectNode();
        RawModel model = null;
        try (JsonParser p = MAPPER.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw fail("top level is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("model") && value == JsonToken.START_OBJECT) {
                    model = readModel(p);
                } else {
                    root.set(name, MAPPER.readTree(p));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw fail("not valid JSON: unexpected content after the top-level object");
            }
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer file: " + e, e);
        }
        JsonNode normalizer = root.path("normalizer");
        if (!normalizer.isMissingNode() && !normalizer.isNull()) {
            throw fail("normalizer of type " + normalizer.path("type").asText("?") + " is not supported (only null)");
        }
        if (model == null) {
            throw fail("missing 'model' object");
        }
        JsonNode settings = model.settings;
        String type = settings.path("type").asText("");
        if (!type.equals("BPE")) {
            throw fail("model type '" + (type.isEmpty() ? "(missing)" : type) + "' is not supported (only BPE)");
        }
        for (String unsupported : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonNode v = settings.path(unsupported);
            if (!v.isMissingNode() && !v.isNull() && !v.asText().isEmpty()) {
                throw fail("model." + unsupported + " is not supported by byte-level BPE");
            }
        }
        Pattern split = readPreTokenizer(root.get("pre_tokenizer"));

        if (model.vocabTokens == null) {
            throw fail("missing 'model.vocab' object");
        }
        if (model.mergeLeft == null) {
            throw fail("missing 'model.merges' array");
        }
        Map<String, Integer> added = readAddedTokens(root.get("added_tokens"));
        boolean ignoreMerges = settings.path("ignore_merges").asBoolean(false);
        return new ByteLevelVocabulary(this::fail)
                .tokenizer(
                        model.vocabTokens,
                        model.vocabIds.toArray(),
                        model.mergeLeft,
                        model.mergeRight,
                        ignoreMerges,
                        split,
                        added);
    }

    /** Called with the parser on the model's START_OBJECT; leaves it on the matching END_OBJECT. */
    private RawModel readModel(JsonParser p) throws IOException {
        RawModel model = new RawModel();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("vocab") && value == JsonToken.START_OBJECT) {
                model.vocabTokens = new ArrayList<>();
                model.vocabIds = new IdList(1024);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String token = p.currentName();
                    JsonToken id = p.nextToken();
                    if (id != JsonToken.VALUE_NUMBER_INT
                            || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() < 0) {
                        throw fail("model.vocab has a non-integer or negative id for '" + token + "': "
                                + MAPPER.readTree(p));
                    }
                    model.vocabTokens.add(token);
                    model.vocabIds.add(p.getIntValue());
                }
            } else if (name.equals("merges") && value == JsonToken.START_ARRAY) {
                model.mergeLeft = new ArrayList<>();
                model.mergeRight = new ArrayList<>();
                readMergeList(p, model);
            } else {
                model.settings.set(name, MAPPER.readTree(p));
            }
        }
        return model;
    }

    private void readMergeList(JsonParser p, RawModel model) throws IOException {
        int rank = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_STRING) {
                // The ByteLevel alphabet has no space character, so exactly one space separates the pair.
                String s = p.getText();
                int space = s.indexOf(' ');
                if (space <= 0 || space != s.lastIndexOf(' ') || space == s.length() - 1) {
                    throw fail("merge #" + rank + " '" + s + "' is not two tokens separated by one space");
                }
                model.mergeLeft.add(s.substring(0, space));
                model.mergeRight.add(s.substring(space + 1));
            } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
                String left = p.getText();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw fail("merge #" + rank + " is neither \"a b\" nor [\"a\", \"b\"]");
                }
                String right = p.getText();
                if (p.nextToken() != JsonToken.END_ARRAY) {
                    throw fail("merge #" + rank + " has more than two tokens");
                }
                model.mergeLeft.add(left);
                model.mergeRight.add(right);
            } else {
                throw fail("merge #" + rank + " is neither \"a b\" nor [\"a\", \"b\"]");
            }
            rank++;
        }
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
            if (content == null
                    || !content.isTextual()
                    || content.asText().isEmpty()
                    || id == null
                    || !id.isIntegralNumber()
                    || id.asInt() < 0) {
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
                    throw fail(
                            "pre_tokenizer ByteLevel.use_regex=true is not supported (expected a Split step with the regex)");
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
            throw fail("pre_tokenizer Split behavior '" + step.path("behavior").asText()
                    + "' is not supported (only Isolated)");
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
