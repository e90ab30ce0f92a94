package io.llamastream.operators.tasks;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A parsed reply: the plain-text {@code output} (a classification's winning label), the task's
 * structured {@code result}, and how many tokens were generated for it (0 when only scored).
 */
public record TaskReply(String output, JsonNode result, int completionTokens) {}
