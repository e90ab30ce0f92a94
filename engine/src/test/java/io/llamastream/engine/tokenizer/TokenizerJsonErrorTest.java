package io.llamastream.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonErrorTest {
    private static final String PRE = "{\"type\":\"Sequence\",\"pretokenizers\":["
            + "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+|\\\\S+\"},\"behavior\":\"Isolated\",\"invert\":false},"
            + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":false}]}";

    @TempDir
    Path dir;

    private static String tokenizer(String model) {
        return "{\"normalizer\":null,\"pre_tokenizer\":" + PRE + ",\"added_tokens\":[],\"model\":" + model + "}";
    }

    @Test
    void minimalValidFileLoads() throws IOException {
        Tokenizer t = Tokenizer.fromTokenizerJson(
                write(tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\"]}")));
        assertTrue(t.encode("ab").length == 1 && t.encode("ab")[0] == 2);
    }

    @Test
    void notJsonNamesFileAndProblem() throws IOException {
        assertFails("{ this is not json", "not valid JSON");
    }

    @Test
    void missingModelNamesTheField() throws IOException {
        assertFails("{\"pre_tokenizer\":" + PRE + "}", "missing 'model' object");
    }

    @Test
    void missingVocabNamesTheField() throws IOException {
        assertFails(tokenizer("{\"type\":\"BPE\",\"merges\":[]}"), "missing 'model.vocab' object");
    }

    @Test
    void mergeWithUnknownTokenNamesTheMergeAndToken() throws IOException {
        assertFails(
                tokenizer(
                        "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\",[\"a\",\"zz\"]]}"),
                "merge #1 references unknown token 'zz'");
    }

    @Test
    void mergeWhoseResultIsNotInVocabIsRejected() throws IOException {
        assertFails(
                tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\"]}"),
                "merge #0 references unknown token 'ab'");
    }

    @Test
    void mergeThatIsNotAPairIsRejected() throws IOException {
        assertFails(tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[42]}"), "merge #0 is neither");
    }

    @Test
    void nonIntegerVocabIdIsRejected() throws IOException {
        assertFails(
                tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":\"zero\"},\"merges\":[]}"),
                "model.vocab has a non-integer or negative id for 'a'");
    }

    @Test
    void truncatedFileIsNotValidJson() throws IOException {
        String json = tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}");
        assertFails(json.substring(0, json.length() - 5), "not valid JSON");
    }

    @Test
    void unsupportedModelTypeIsNamed() throws IOException {
        assertFails(
                tokenizer("{\"type\":\"WordPiece\",\"vocab\":{\"a\":0}}"), "model type 'WordPiece' is not supported");
    }

    @Test
    void normalizerIsRejectedRatherThanIgnored() throws IOException {
        String json = tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}")
                .replace("\"normalizer\":null", "\"normalizer\":{\"type\":\"NFC\"}");
        assertFails(json, "normalizer of type NFC is not supported");
    }

    @Test
    void regexJavaCannotCompileIsReported() throws IOException {
        String json = tokenizer("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}")
                .replace("\\\\s+|\\\\S+", "(unclosed");
        assertFails(json, "pre_tokenizer Split regex does not compile");
    }

    @Test
    void missingFileNamesTheFile() {
        Path missing = dir.resolve("nope.json");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTokenizerJson(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    private Path write(String json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json);
        return file;
    }

    private void assertFails(String json, String problem) throws IOException {
        Path file = write(json);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTokenizerJson(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
