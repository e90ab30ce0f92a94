package io.llamastream.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A checkpoint's own Jinja chat template (Llama 3.x, Llama Guard 3), rendered with jinjava the way
 * transformers renders it (blocks trimmed and left-stripped, Jinja operator precedence) from
 * {@code messages}, {@code bos_token}, {@code eos_token}, {@code add_generation_prompt} and
 * {@code date_string} (today, as {@code 26 Jul 2024}, unless one is fixed with
 * {@link #withDate(String)}). The rendered text is tokenized with special tokens recognised, as
 * the reference does, except where they come from message content: special-token text a user
 * writes is encoded as plain text, so it cannot end a turn or forge a header. Immutable and safe
 * to share between threads.
 */
public final class ChatTemplate implements PromptFormat {
    /** How Llama 3.1+ templates write the date ({@code strftime("%d %b %Y")}). */
    public static final DateTimeFormatter DATE_FORMAT = DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH);

    /** Noncharacters that never occur in interchange text mark where content held special-token text. */
    private static final char MARK_OPEN = '\uFDD0';

    private static final char MARK_CLOSE = '\uFDD1';
    private static final Pattern MARK = Pattern.compile(MARK_OPEN + "(\\d+)" + MARK_CLOSE);

    private static final Jinjava JINJAVA = newJinjava();

    private final String source;
    private final Tokenizer tokenizer;
    private final String bosToken;
    private final String eosToken;
    private final int endOfTurn;
    private final String dateString;

    /**
     * @param endOfTurnToken the text of the token that ends the assistant's turn
     * @param dateString the {@code date_string} to render, or null for today's date (UTC) at each render
     * @throws IllegalArgumentException if the tokenizer lacks {@code endOfTurnToken}
     */
    public ChatTemplate(
            String source,
            Tokenizer tokenizer,
            String bosToken,
            String eosToken,
            String endOfTurnToken,
            String dateString) {
        this.source = source;
        this.tokenizer = tokenizer;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.endOfTurn = tokenizer.tokenId(endOfTurnToken);
        this.dateString = dateString;
    }

    /**
     * The template a model folder carries ({@link TokenizerConfig}), or empty when it has none
     * (or when {@code dir} is not a folder).
     */
    public static Optional<ChatTemplate> forModel(Path dir, Tokenizer tokenizer) {
        TokenizerConfig config = TokenizerConfig.read(dir);
        return config.chatTemplate() == null
                ? Optional.empty()
                : Optional.of(of(config.chatTemplate(), tokenizer, config.bosToken(), config.eosToken()));
    }

    /**
     * A template whose turn ends with {@code <|eot_id|>} when the vocabulary has it (Llama 3),
     * else with {@code eosToken}; a null {@code bosToken} means {@code <|begin_of_text|>} when
     * the vocabulary has it. Renders today's date.
     */
    public static ChatTemplate of(String source, Tokenizer tokenizer, String bosToken, String eosToken) {
        String bos = bosToken != null ? bosToken : tokenizer.hasToken("<|begin_of_text|>") ? "<|begin_of_text|>" : "";
        String eot = tokenizer.hasToken("<|eot_id|>") ? "<|eot_id|>" : eosToken != null ? eosToken : "<|eot|>";
        return new ChatTemplate(source, tokenizer, bos, eosToken, eot, null);
    }

    /** The same template rendering {@code dateString} (null: today) as {@code date_string}. */
    public ChatTemplate withDate(String dateString) {
        return new ChatTemplate(source, tokenizer, bosToken, eosToken, tokenizer.tokenText(endOfTurn), dateString);
    }

    /** The date this template renders now. */
    public String dateString() {
        return dateString != null ? dateString : LocalDate.now(ZoneOffset.UTC).format(DATE_FORMAT);
    }

    /** The template's text for a conversation. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, null);
    }

    @Override
    public int[] encodeDialog(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<String> literals = new ArrayList<>();
        String text = render(messages, addGenerationPrompt, literals);
        IdList out = new IdList(text.length() / 3 + 8);
        Matcher m = MARK.matcher(text);
        int pos = 0;
        while (m.find()) {
            int k = Integer.parseInt(m.group(1));
            if (k >= literals.size()) {
                continue; // not one of ours: the marks in such text are ordinary characters
            }
            out.addAll(tokenizer.encode(text.substring(pos, m.start())));
            out.addAll(tokenizer.encodeOrdinary(literals.get(k)));
            pos = m.end();
        }
        out.addAll(tokenizer.encode(text.substring(pos)));
        return out.toArray();
    }

    @Override
    public int endOfTurnId() {
        return endOfTurn;
    }

    /** Renders; unless {@code literals} is null, special-token text in content becomes a mark indexing into it. */
    private String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<String> literals) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            Map<String, Object> m = new HashMap<>();
            m.put("role", message.role());
            m.put("content", literals == null ? message.content() : marked(message.content(), literals));
            list.add(m);
        }
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", list);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("date_string", dateString());
        RenderResult result = withEngineClassLoader(() -> JINJAVA.renderForResult(source, bindings));
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) {
            throw new IllegalArgumentException("chat template failed: "
                    + fatal.stream().map(ChatTemplate::describe).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    private String marked(String content, List<String> literals) {
        StringBuilder sb = null;
        int pos = 0;
        AddedTokenMatcher.Match m;
        while ((m = tokenizer.findAddedToken(content, pos)) != null) {
            if (sb == null) {
                sb = new StringBuilder(content.length() + 16);
            }
            sb.append(content, pos, m.start())
                    .append(MARK_OPEN)
                    .append(literals.size())
                    .append(MARK_CLOSE);
            literals.add(content.substring(m.start(), m.end()));
            pos = m.end();
        }
        return sb == null ? content : sb.append(content, pos, content.length()).toString();
    }

    private static Jinjava newJinjava() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Output is never parsed again: content such as "{{ x }}" stays text.
                .withNestedInterpretationEnabled(false)
                // Jinja's own semantics where jinjava kept older ones (precedence, escapes, whitespace
                // control); all but "whitespace required within tokens", which rejects "{{- x }}".
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withDefaultKeepTrailingNewlineBehavior(true)
                        .build())
                .build();
        Jinjava jinjava = withEngineClassLoader(() -> new Jinjava(config));
        jinjava.getGlobalContext()
                .registerFunction(new ELFunctionDefinition(
                        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        return jinjava;
    }

    /**
     * Runs {@code work} with the engine's class loader as the thread's context loader: jinjava loads its
     * expression classes through it, and with the engine in Flink's {@code lib/} the calling task
     * thread's loader is a job's, which must neither supply nor be held by the engine's static jinjava.
     */
    private static <T> T withEngineClassLoader(Supplier<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(ChatTemplate.class.getClassLoader());
        try {
            return work.get();
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    /** An error's message, or the template's own words when it called {@code raise_exception}. */
    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof Raised) {
                return t.getMessage();
            }
        }
        return error.getMessage() + " (line " + error.getLineno() + ")";
    }

    /** The templates' {@code raise_exception(message)}: rendering stops with the template's message. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    /** What {@code raise_exception} throws, told apart from jinjava's own errors. */
    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }
}
