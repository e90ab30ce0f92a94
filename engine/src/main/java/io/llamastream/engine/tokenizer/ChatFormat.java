package io.llamastream.engine.tokenizer;

import java.util.List;

/**
 * The Llama 4 chat prompt layout: {@code <|begin_of_text|>}, then per message
 * {@code <|header_start|>ROLE<|header_end|>\n\nCONTENT<|eot|>}, and to let the model answer an
 * open {@code <|header_start|>assistant<|header_end|>\n\n}. Control-token ids are looked up by name
 * in the tokenizer, never hard-coded, so the same code serves every Llama 4 vocabulary.
 *
 * <p>Text between control tokens is tokenized as one stretch, as the reference does when it
 * tokenizes the rendered template: {@code "\n\n" + content} is encoded together (the separator and
 * the start of the content can share a token). Role and content are encoded as plain text, so
 * special-token text inside a message (say a user typing {@code <|eot|>}) cannot end the turn;
 * the reference template would turn it into the control token, this class deliberately does not.
 */
public final class ChatFormat implements PromptFormat {
    private final Tokenizer tokenizer;
    private final int beginOfText;
    private final int headerStart;
    private final int headerEnd;
    private final int endOfTurn;
    private final int endOfMessage;

    /** Whether {@code tokenizer} has the Llama 4 control tokens this layout needs (Llama 3 vocabularies do not). */
    public static boolean supports(Tokenizer tokenizer) {
        return tokenizer.hasToken("<|header_start|>")
                && tokenizer.hasToken("<|header_end|>")
                && tokenizer.hasToken("<|eot|>")
                && tokenizer.hasToken("<|begin_of_text|>")
                && tokenizer.hasToken("<|eom|>");
    }

    /** @throws IllegalArgumentException naming the token if the tokenizer lacks a Llama 4 control token */
    public ChatFormat(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.beginOfText = tokenizer.tokenId("<|begin_of_text|>");
        this.headerStart = tokenizer.tokenId("<|header_start|>");
        this.headerEnd = tokenizer.tokenId("<|header_end|>");
        this.endOfTurn = tokenizer.tokenId("<|eot|>");
        this.endOfMessage = tokenizer.tokenId("<|eom|>");
    }

    /**
     * The prompt for a conversation. With {@code openAssistantTurn} the result ends with the
     * assistant header, ready for generation.
     */
    @Override
    public int[] encodeDialog(List<ChatMessage> messages, boolean openAssistantTurn) {
        IdList out = new IdList(64);
        out.add(beginOfText);
        for (ChatMessage message : messages) {
            appendHeader(out, message.role());
            out.addAll(tokenizer.encodeOrdinary("\n\n" + message.content()));
            out.add(endOfTurn);
        }
        if (openAssistantTurn) {
            appendHeader(out, "assistant");
            out.addAll(tokenizer.encodeOrdinary("\n\n"));
        }
        return out.toArray();
    }

    /**
     * A single-turn prompt whose user message carries media: the media token spans first, in
     * order (each already expanded, e.g. an image's tiles of {@code <|patch|>}), then the text,
     * as the multimodal reference lays them out. Optional system message as in
     * {@link #encodeUserPrompt(String, String)}.
     */
    public int[] encodeUserPromptWithMedia(String system, List<int[]> media, String text) {
        IdList out = new IdList(256);
        out.add(beginOfText);
        if (system != null && !system.isEmpty()) {
            appendHeader(out, "system");
            out.addAll(tokenizer.encodeOrdinary("\n\n" + system));
            out.add(endOfTurn);
        }
        appendHeader(out, "user");
        if (media.isEmpty()) {
            out.addAll(tokenizer.encodeOrdinary("\n\n" + text));
        } else {
            out.addAll(tokenizer.encodeOrdinary("\n\n"));
            for (int[] span : media) {
                out.addAll(span);
            }
            out.addAll(tokenizer.encodeOrdinary(text));
        }
        out.add(endOfTurn);
        appendHeader(out, "assistant");
        out.addAll(tokenizer.encodeOrdinary("\n\n"));
        return out.toArray();
    }

    private void appendHeader(IdList out, String role) {
        out.add(headerStart);
        out.addAll(tokenizer.encodeOrdinary(role));
        out.add(headerEnd);
    }

    /** {@code <|eot|>}: the model finished its turn. */
    @Override
    public int endOfTurnId() {
        return endOfTurn;
    }

    /** {@code <|eom|>}: the model paused for a tool result. */
    public int endOfMessageId() {
        return endOfMessage;
    }

    public int beginOfTextId() {
        return beginOfText;
    }
}
