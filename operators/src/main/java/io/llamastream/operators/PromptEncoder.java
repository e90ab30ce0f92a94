package io.llamastream.operators;

import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.ValidRequest;

/**
 * Builds a request's prompt: renders the task's user message and encodes it in the model's chat
 * format, fitted to the context window: {@link TextPromptEncoder} for text, and
 * {@link MediaPromptEncoder} (image decode, tiling, {@code <|image|>} token layout) picked by
 * {@link PromptTokenizer} when the model has a vision encoder and the request carries images.
 */
public interface PromptEncoder {
    PreparedRequest encode(TaskDefinition task, ValidRequest request) throws RejectedRequestException;
}
