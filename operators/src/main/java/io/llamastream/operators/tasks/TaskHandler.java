package io.llamastream.operators.tasks;

import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.util.List;

/**
 * Everything one kind of task does differently from the others, in one place: its built-in
 * definition (prompt template, reply budget, decoding defaults), the checks on its request
 * parameters, how many tokens the prompt must leave for its reply, the engine requests it makes
 * (one generation, or scoring) and how it parses their results into the result event's output.
 * Handlers are stateless; the DataStream operator and the SQL path both call
 * {@link #engineCall}, submit the call, and pass the results to {@link #parse}. Adding a task
 * kind means one handler class plus one {@link TaskKind} constant.
 */
public interface TaskHandler {

    /** The built-in task of this kind, named after it, with the prompt format the demo-tasks model was trained on. */
    TaskDefinition builtIn();

    /**
     * The user-message template of a task of this kind that goes through the model's own chat
     * template and names none itself: by default {@code current}. (Moderation's is the bare text,
     * because a Llama Guard template carries the policy.)
     */
    default PromptTemplate templateUnderModelFormat(PromptTemplate current) {
        return current;
    }

    /**
     * Checks a task definition of this kind read from a tasks file.
     *
     * @throws IllegalArgumentException naming {@code where} and what is missing
     */
    default void checkDefinition(TaskDefinition task, String where) {}

    /** Whether the request's {@code params.schema} means anything to this kind (it is dropped otherwise). */
    default boolean readsSchema() {
        return false;
    }

    /**
     * Checks the request's task-specific parameters.
     *
     * @throws RejectedRequestException INVALID_FIELD, naming the field and what it must hold
     */
    default void validate(TaskDefinition task, ValidRequest request) throws RejectedRequestException {}

    /** Whether the reply is generated text (false for a kind that only scores), which a session's history keeps. */
    default boolean generates() {
        return true;
    }

    /** How many tokens the prompt must leave free for the reply, given the resolved {@code maxTokens}. */
    default int reservedTokens(ValidRequest request, int maxTokens, Tokenizer tokenizer) {
        return maxTokens;
    }

    /**
     * The engine requests for a prepared request, on its {@code promptIds} (which may include
     * history): by default one generation with the request's decoding parameters.
     */
    default EngineCall engineCall(TaskDefinition task, PreparedRequest request, ModelVocabulary vocabulary) {
        return new EngineCall(
                request.promptIds(), List.of(InferenceRequest.generate(request.promptIds(), request.sampling(task))));
    }

    /**
     * The result event's output from the engine's results for {@code call}, in the call's order.
     *
     * @throws io.llamastream.operators.postprocess.ReplyFormatException if the reply does not parse
     */
    TaskReply parse(
            TaskDefinition task,
            ValidRequest request,
            EngineCall call,
            List<InferenceResult> results,
            ModelVocabulary vocabulary);
}
