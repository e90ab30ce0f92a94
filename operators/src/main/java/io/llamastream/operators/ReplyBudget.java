package io.llamastream.operators;

import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.ValidRequest;

/**
 * How many tokens a request's reply may take ({@code maxTokens}: the request's own, else the
 * task's) and how many the prompt must leave free for it ({@code reserved}, which the task's
 * handler decides: {@code maxTokens} for generating tasks, the longest label plus end of turn for
 * classification, which scores labels instead of generating).
 */
record ReplyBudget(int maxTokens, int reserved) {

    static ReplyBudget of(TaskDefinition task, ValidRequest r, Tokenizer tokenizer) {
        int maxTokens = r.maxTokens() > 0 ? r.maxTokens() : task.maxTokens();
        return new ReplyBudget(maxTokens, task.handler().reservedTokens(r, maxTokens, tokenizer));
    }
}
