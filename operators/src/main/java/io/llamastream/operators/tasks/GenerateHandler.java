package io.llamastream.operators.tasks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.ContextOverflow;
import java.util.List;
import java.util.Locale;

/**
 * Free generation (the built-in task keeps a session's history): the reply text, with why it
 * stopped (end of turn, length, ...) so a caller can tell a cut reply from a finished one.
 */
public final class GenerateHandler implements TaskHandler {

    @Override
    public TaskDefinition builtIn() {
        return new TaskDefinition(
                "generate",
                TaskKind.GENERATE,
                null,
                new PromptTemplate("{text}"),
                128,
                0,
                ContextOverflow.TRUNCATE_HEAD,
                true,
                null,
                null);
    }

    @Override
    public TaskReply parse(
            TaskDefinition task,
            ValidRequest request,
            EngineCall call,
            List<InferenceResult> results,
            ModelVocabulary vocabulary) {
        InferenceResult first = results.get(0);
        String text = vocabulary.replyText(first.tokens());
        return new TaskReply(
                text,
                JsonNodeFactory.instance
                        .objectNode()
                        .put("text", text)
                        .put("stop_reason", first.stopReason().name().toLowerCase(Locale.ROOT)),
                first.tokens().length);
    }
}
