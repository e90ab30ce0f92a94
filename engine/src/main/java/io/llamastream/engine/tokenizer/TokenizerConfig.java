package io.llamastream.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a model folder says about prompting besides the vocabulary: the BOS and EOS token texts of
 * {@code tokenizer_config.json}, and the chat template, from {@code chat_template.jinja} (as
 * transformers 5 saves it) or else the {@code chat_template} field of {@code tokenizer_config.json}
 * (older checkpoints; a list of named templates picks {@code default}). Absent fields are null.
 */
public record TokenizerConfig(String bosToken, String eosToken, String chatTemplate) {
    public static final String TEMPLATE_FILE = "chat_template.jinja";
    public static final String CONFIG_FILE = "tokenizer_config.json";

    /** Reads {@code dir}; a folder with neither file gives all nulls. Malformed files fail naming the file. */
    public static TokenizerConfig read(Path dir) {
        JsonNode config = null;
        Path configFile = dir.resolve(CONFIG_FILE);
        try {
            if (Files.isRegularFile(configFile)) {
                config = new ObjectMapper().readTree(Files.readString(configFile));
            }
            String template = null;
            Path templateFile = dir.resolve(TEMPLATE_FILE);
            if (Files.isRegularFile(templateFile)) {
                template = Files.readString(templateFile);
            } else if (config != null) {
                template = templateField(config.get("chat_template"));
            }
            return new TokenizerConfig(
                    config == null ? null : tokenText(config.get("bos_token")),
                    config == null ? null : tokenText(config.get("eos_token")),
                    template);
        } catch (IOException e) {
            throw new ModelFormatException(configFile, "unreadable: " + e.getMessage(), e);
        }
    }

    private static String templateField(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            for (JsonNode named : n) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText(null);
                }
            }
        }
        return null;
    }

    /** A token given as text, or as an AddedToken object with {@code content}. */
    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isObject() ? n.path("content").asText(null) : n.asText();
    }
}
