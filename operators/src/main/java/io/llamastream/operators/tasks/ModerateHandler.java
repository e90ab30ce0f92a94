package io.llamastream.operators.tasks;

import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.ContextOverflow;
import io.llamastream.operators.postprocess.FirstTokenProbability;
import io.llamastream.operators.postprocess.ModerationVerdict;
import java.util.List;

/**
 * Llama Guard style moderation: generates a {@code safe}/{@code unsafe} verdict with the violated
 * categories, and reads the probability of {@code unsafe} as the first reply token from the raw
 * logits (a {@link FirstTokenProbability} on the generation) as the verdict's score.
 */
public final class ModerateHandler implements TaskHandler {
    public static final String TEMPLATE = "Task: Check if there is unsafe content in 'User' messages in "
            + "conversations according to our safety policy with the below categories.\n\n"
            + "<BEGIN UNSAFE CONTENT CATEGORIES>\nS1: Violent Crimes.\nS2: Non-Violent Crimes.\nS3: Sex Crimes.\n"
            + "S4: Child Exploitation.\nS5: Defamation.\nS6: Specialized Advice.\nS7: Privacy.\n"
            + "S8: Intellectual Property.\nS9: Indiscriminate Weapons.\nS10: Hate.\nS11: Self-Harm.\n"
            + "S12: Sexual Content.\nS13: Elections.\nS14: Code Interpreter Abuse.\n<END UNSAFE CONTENT CATEGORIES>\n\n"
            + "<BEGIN CONVERSATION>\n\nUser: {text}\n\n<END CONVERSATION>\n\n"
            + "Provide your safety assessment for ONLY THE LAST User message in the above conversation:\n"
            + " - First line must read 'safe' or 'unsafe'.\n"
            + " - If unsafe, a second line must include a comma-separated list of violated categories.";

    @Override
    public TaskDefinition builtIn() {
        return new TaskDefinition(
                "moderate",
                TaskKind.MODERATE,
                null,
                new PromptTemplate(TEMPLATE),
                16,
                0,
                ContextOverflow.TRUNCATE_HEAD,
                false,
                null,
                null);
    }

    /** Llama Guard 3's chat template wraps the text in its policy and categories itself. */
    @Override
    public PromptTemplate templateUnderModelFormat(PromptTemplate current) {
        return new PromptTemplate("{text}");
    }

    @Override
    public EngineCall engineCall(TaskDefinition task, PreparedRequest request, ModelVocabulary vocabulary) {
        FirstTokenProbability unsafe =
                new FirstTokenProbability(vocabulary.tokenizer().encodeOrdinary("unsafe")[0]);
        return new EngineCall(
                request.promptIds(),
                List.of(InferenceRequest.generate(request.promptIds(), request.sampling(task))
                        .withProcessor(unsafe)));
    }

    @Override
    public TaskReply parse(
            TaskDefinition task,
            ValidRequest request,
            EngineCall call,
            List<InferenceResult> results,
            ModelVocabulary vocabulary) {
        double unsafe = ((FirstTokenProbability) call.requests().get(0).processor()).probability();
        int[] tokens = results.get(0).tokens();
        String text = vocabulary.replyText(tokens);
        return new TaskReply(
                text,
                ModerationVerdict.parse(text, task.excludedCategories(), unsafe).toJson(),
                tokens.length);
    }
}
