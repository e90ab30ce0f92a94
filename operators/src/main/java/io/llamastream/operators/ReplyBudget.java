package io.llamastream.operators;

import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskKind;
import java.util.Arrays;

/**
 * How many tokens a request's reply may take ({@code maxTokens}: the request's own, else the
 * task's) and how many the prompt must leave free for it ({@code reserved}): {@code maxTokens}
 * for generating tasks, the longest label plus end of turn for classification, which scores
 * labels instead of generating.
 */
record ReplyBudget(int maxTokens, int reserved) {

    static ReplyBudget of(TaskDefinition task, ValidRequest r, Tokenizer tokenizer) {
        int maxTokens = r.maxTokens() > 0 ? r.maxTokens() : task.maxTokens();
        int reserved = maxTokens;
        if (task.kind() == TaskKind.CLASSIFY) {
            reserved = Arrays.stream(r.labels()).mapToInt(l -> tokenizer.encodeOrdinary(l).length).max().orElse(0) + 1;
        }
        return new ReplyBudget(maxTokens, reserved);
    }
}
