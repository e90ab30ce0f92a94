package io.llamastream.operators.tasks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.ContextOverflow;
import io.llamastream.kafka.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * Translation into one of the task's languages ({@code params.target_language} is a code the task
 * lists; the template gets the language's name): free generation, returned with the target code.
 */
public final class TranslateHandler implements TaskHandler {

    @Override
    public TaskDefinition builtIn() {
        return new TaskDefinition(
                "translate",
                TaskKind.TRANSLATE,
                null,
                new PromptTemplate("Translate the following text to {target_language}:\n{text}"),
                128,
                0,
                ContextOverflow.REJECT,
                false,
                Map.of("fr", "French", "en", "English"),
                null);
    }

    @Override
    public void checkDefinition(TaskDefinition task, String where) {
        if (task.languages().isEmpty()) {
            throw new IllegalArgumentException(where + ": a translate task needs 'languages' (code: name)");
        }
    }

    @Override
    public void validate(TaskDefinition task, ValidRequest request) throws RejectedRequestException {
        String target = request.targetLanguage();
        if (target == null || !task.languages().containsKey(target)) {
            throw new RejectedRequestException(
                    ErrorCode.INVALID_FIELD,
                    "field 'params.target_language' " + "must be one of "
                            + task.languages().keySet() + ", got " + target);
        }
    }

    @Override
    public TaskReply parse(
            TaskDefinition task,
            ValidRequest request,
            EngineCall call,
            List<InferenceResult> results,
            ModelVocabulary vocabulary) {
        int[] tokens = results.get(0).tokens();
        String text = vocabulary.replyText(tokens);
        return new TaskReply(
                text,
                JsonNodeFactory.instance
                        .objectNode()
                        .put("target_language", request.targetLanguage())
                        .put("text", text),
                tokens.length);
    }
}
