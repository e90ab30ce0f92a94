package io.llamastream.operators;

import io.llamastream.engine.tokenizer.PromptFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.ContextOverflow;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskPromptFormats;
import io.llamastream.operators.tasks.UserMessage;
import io.llamastream.operators.tasks.ValidRequest;
import java.util.Arrays;
import java.util.List;

/**
 * Text prompts: the task's user message in its chat format ({@link TaskPromptFormats}), with the request's text truncated (by
 * whole tokens of the text alone, head or tail) or the request rejected when the prompt plus the
 * reply budget exceeds the context window. The budget is {@code max_tokens} for generating tasks
 * and the longest label plus end of turn for classification (which generates nothing). Only the
 * user's text is cut, never the template, so the model still sees the task's instructions.
 */
public final class TextPromptEncoder implements PromptEncoder {
    private final Tokenizer tokenizer;
    private final TaskPromptFormats formats;
    private final int contextTokens;

    /** Every task in the built-in Llama 4 layout. */
    public TextPromptEncoder(Tokenizer tokenizer, int contextTokens) {
        this(tokenizer, TaskPromptFormats.builtinOnly(tokenizer), contextTokens);
    }

    public TextPromptEncoder(Tokenizer tokenizer, TaskPromptFormats formats, int contextTokens) {
        this.tokenizer = tokenizer;
        this.formats = formats;
        this.contextTokens = contextTokens;
    }

    @Override
    public PreparedRequest encode(TaskDefinition task, ValidRequest r) throws RejectedRequestException {
        ReplyBudget reply = ReplyBudget.of(task, r, tokenizer);
        int maxTokens = reply.maxTokens();
        int reserved = reply.reserved();
        int budget = contextTokens - reserved;
        List<String> keys = r.schemaKeys();
        PromptFormat chat = formats.forTask(task);
        String text = r.text();
        String user = UserMessage.render(task, text, r.targetLanguage(), List.of(r.labels()), keys);
        int[] prompt = chat.encodeUserPrompt(task.system(), user);
        if (prompt.length <= budget) {
            return new PreparedRequest(r, user, prompt, maxTokens, false, 0);
        }
        ContextOverflow policy =
                r.contextOverflow() != null ? ContextOverflow.fromWire(r.contextOverflow()) : task.contextOverflow();
        if (policy == ContextOverflow.REJECT) {
            throw new RejectedRequestException(
                    ErrorCode.CONTEXT_OVERFLOW,
                    "prompt has " + prompt.length
                            + " tokens; with " + reserved + " reserved for the reply it exceeds the context of "
                            + contextTokens + " tokens");
        }
        int[] textTokens = tokenizer.encodeOrdinary(text);
        int overhead = prompt.length - textTokens.length;
        // Token boundaries shift a little when the cut text is re-encoded inside the template: cut,
        // re-encode, and cut one more token until it fits.
        for (int keep = Math.min(textTokens.length - 1, budget - overhead); keep >= 0; keep--) {
            int[] kept = policy == ContextOverflow.TRUNCATE_HEAD
                    ? Arrays.copyOfRange(textTokens, textTokens.length - keep, textTokens.length)
                    : Arrays.copyOf(textTokens, keep);
            String cut = tokenizer.decode(kept).replace("\uFFFD", "");
            user = UserMessage.render(task, cut, r.targetLanguage(), List.of(r.labels()), keys);
            prompt = chat.encodeUserPrompt(task.system(), user);
            if (prompt.length <= budget) {
                return new PreparedRequest(r, user, prompt, maxTokens, true, 0);
            }
        }
        throw new RejectedRequestException(
                ErrorCode.CONTEXT_OVERFLOW,
                "the task's template alone (" + overhead + " tokens) plus " + reserved
                        + " reply tokens exceeds the context of " + contextTokens);
    }
}
