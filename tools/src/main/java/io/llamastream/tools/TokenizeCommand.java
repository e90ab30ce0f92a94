package io.llamastream.tools;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tokenize}: prints the ids of a text as a JSON array on one line, no special tokens added. */
@Command(name = "tokenize", description = "Print the token ids of a text as a JSON array.")
public final class TokenizeCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;
    @Option(names = "--text", required = true, description = "The text to tokenize.")
    String text;

    static final class Source {
        @Option(names = "--model", paramLabel = "PATH", description = "Model folder holding tokenizer.json, or a .gguf file.")
        Path model;
        @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json file.")
        Path tokenizer;
    }

    private Tokenizer tokenizer() {
        if (source.tokenizer != null) {
            return Tokenizer.fromTokenizerJson(source.tokenizer);
        }
        return Llama4Model.tokenizer(source.model);
    }

    @Override
    public Integer call() {
        int[] ids = tokenizer().encode(text);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")));
        return 0;
    }
}
