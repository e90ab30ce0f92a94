package io.llamastream.operators;

import io.llamastream.operators.tasks.TaskDefinition;

/**
 * Builds a request's prompt: renders the task's user message and encodes it in the model's chat
 * format, fitted to the context window. The text-only {@link TextPromptEncoder} is the one there
 * is today; an image-aware encoder (image decode, tiling, {@code <|image|>} token layout from the
 * engine's vision package) implements the same interface and is picked by
 * {@link PromptTokenizer} when the model has a vision encoder and the request carries images.
 */
public interface PromptEncoder {
    PreparedRequest encode(TaskDefinition task, ValidRequest request) throws RejectedRequestException;
}
