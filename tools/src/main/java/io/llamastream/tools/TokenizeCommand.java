package io.llamastream.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.model.VocabOnlyModel;
import io.llamastream.engine.tokenizer.ChatMessage;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.PromptFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tokenize}: prints, as a JSON array on one line, the ids of a text (no special tokens
 * added) or, with {@code --chat}, of a conversation rendered through the model's prompt format
 * with the generation prompt added. Like llama.cpp's vocab-only mode it reads the tokenizer, the
 * chat template and {@code config.json}, never the weights.
 */
@Command(
        name = "tokenize",
        description = "Print the token ids of a text, or of a rendered conversation, as a JSON array.")
public final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(
            names = "--date",
            paramLabel = "STR",
            description = "The template's date_string (default: today, as 26 Jul 2024).")
    String date;

    static final class Source {
        @Option(
                names = "--model",
                paramLabel = "PATH",
                description =
                        "Model folder (tokenizer.json, config.json, chat template) or .gguf file; weights are not read.")
        Path model;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json file.")
        Path tokenizer;
    }

    static final class Input {
        @Option(names = "--text", description = "The text to tokenize.")
        String text;

        @Option(
                names = "--chat",
                paramLabel = "FILE",
                description = "A JSON array of {role, content} messages, rendered with the model's chat template.")
        Path chat;
    }

    @Override
    public Integer call() throws IOException {
        if (source.model == null && input.chat != null) {
            throw new ParameterException(
                    spec.commandLine(), "--chat needs --model (the folder or .gguf with the chat template)");
        }
        VocabOnlyModel model = source.model == null ? null : VocabOnlyModel.load(source.model);
        Tokenizer tokenizer = model == null ? Tokenizer.fromTokenizerJson(source.tokenizer) : model.tokenizer();
        int[] ids;
        if (input.chat == null) {
            ids = tokenizer.encode(input.text);
        } else {
            PromptFormat format = model.promptFormat();
            if (format instanceof ChatTemplate template) {
                format = template.withDate(date);
            }
            ids = format.encodeDialog(readMessages(input.chat), true);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")));
        return 0;
    }

    private List<ChatMessage> readMessages(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null || !root.isArray()) {
            throw new ParameterException(
                    spec.commandLine(), file + ": expected a JSON array of {\"role\", \"content\"} messages");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : root) {
            if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new ParameterException(
                        spec.commandLine(), file + ": every message needs a string 'role' and 'content': " + m);
            }
            messages.add(
                    new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return messages;
    }
}
