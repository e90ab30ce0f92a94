package io.llamastream.operators;

import io.llamastream.engine.media.ImagePromptLayout;
import io.llamastream.engine.media.PreprocessedImage;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.UserMessage;
import io.llamastream.operators.tasks.ValidRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts with images for a vision model: every image is decoded and tiled here (so a bad image
 * is dead-lettered before it reaches the engine), laid out as the reference does (images first,
 * in order, then the task's user message), and the whole prompt must fit the context window:
 * an image cannot be truncated, so an overflow is rejected whatever the task's policy.
 */
public final class MediaPromptEncoder implements PromptEncoder {
    private final Tokenizer tokenizer;
    private final ChatFormat chat;
    private final ImageInputs images;
    private final ImagePromptLayout layout;
    private final int tokensPerTile;
    private final int contextTokens;

    public MediaPromptEncoder(Tokenizer tokenizer, ImageInputs images, int tokensPerTile, int contextTokens) {
        this.tokenizer = tokenizer;
        this.chat = new ChatFormat(tokenizer);
        this.images = images;
        this.layout = new ImagePromptLayout(tokenizer::tokenId);
        this.tokensPerTile = tokensPerTile;
        this.contextTokens = contextTokens;
    }

    @Override
    public PreparedRequest encode(TaskDefinition task, ValidRequest r) throws RejectedRequestException {
        List<int[]> spans = new ArrayList<>();
        for (PreprocessedImage image : images.preprocess(r.imagesBase64())) {
            spans.add(layout.expand(image.rows(), image.cols(), tokensPerTile));
        }
        ReplyBudget reply = ReplyBudget.of(task, r, tokenizer);
        int maxTokens = reply.maxTokens();
        int reserved = reply.reserved();
        List<String> keys = r.schemaKeys();
        String text = r.text() == null ? "" : r.text();
        String user = UserMessage.render(task, text, r.targetLanguage(), List.of(r.labels()), keys);
        int[] prompt = chat.encodeUserPromptWithMedia(task.system(), spans, user);
        if (prompt.length + reserved > contextTokens) {
            throw new RejectedRequestException(
                    ErrorCode.CONTEXT_OVERFLOW,
                    "prompt with " + spans.size()
                            + " image(s) has " + prompt.length + " tokens; with " + reserved
                            + " reserved for the reply it exceeds the context of " + contextTokens + " tokens");
        }
        return new PreparedRequest(r, user, prompt, maxTokens, false, 0);
    }
}
