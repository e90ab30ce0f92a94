package io.llamastream.operators.tasks;

import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.ContextOverflow;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.postprocess.LabelScores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Classification by forced continuation: nothing is generated; each of the request's labels,
 * followed by end of turn, is scored after the prompt (one scoring request per label, batched by
 * the engine like any other), and {@link LabelScores} picks the most likely. The prompt reserves
 * room for the longest label plus end of turn instead of a reply budget.
 */
public final class ClassifyHandler implements TaskHandler {

    @Override
    public TaskDefinition builtIn() {
        return new TaskDefinition(
                "classify",
                TaskKind.CLASSIFY,
                null,
                new PromptTemplate("Classify the sentiment of this review as {labels}. Answer with one word.\n"
                        + "Review: {text}"),
                8,
                0,
                ContextOverflow.TRUNCATE_TAIL,
                false,
                null,
                null);
    }

    @Override
    public void validate(TaskDefinition task, ValidRequest request) throws RejectedRequestException {
        List<String> labels = List.of(request.labels());
        if (!labelsAreValid(labels)) {
            throw new RejectedRequestException(
                    ErrorCode.INVALID_FIELD,
                    "field 'params.labels' must hold at least 2 distinct, non-blank labels, got " + labels);
        }
    }

    /** The rule for a label set, wherever it comes from (an event or a SQL model's options): two or more, distinct, non-blank. */
    public static boolean labelsAreValid(List<String> labels) {
        return labels.size() >= 2
                && new HashSet<>(labels).size() == labels.size()
                && labels.stream().noneMatch(String::isBlank);
    }

    @Override
    public boolean generates() {
        return false;
    }

    @Override
    public int reservedTokens(ValidRequest request, int maxTokens, Tokenizer tokenizer) {
        return Arrays.stream(request.labels())
                        .mapToInt(l -> tokenizer.encodeOrdinary(l).length)
                        .max()
                        .orElse(0)
                + 1;
    }

    @Override
    public EngineCall engineCall(TaskDefinition task, PreparedRequest request, ModelVocabulary vocabulary) {
        List<InferenceRequest> scores = new ArrayList<>();
        for (String label : request.request().labels()) {
            int[] labelIds = vocabulary.tokenizer().encodeOrdinary(label);
            int[] continuation = Arrays.copyOf(labelIds, labelIds.length + 1);
            continuation[labelIds.length] = vocabulary.endOfTurn();
            scores.add(InferenceRequest.score(request.promptIds(), continuation));
        }
        return new EngineCall(request.promptIds(), scores);
    }

    @Override
    public TaskReply parse(
            TaskDefinition task,
            ValidRequest request,
            EngineCall call,
            List<InferenceResult> results,
            ModelVocabulary vocabulary) {
        double[] logProbs =
                results.stream().mapToDouble(InferenceResult::logProbability).toArray();
        LabelScores scores = new LabelScores(List.of(request.labels()), logProbs);
        return new TaskReply(scores.best(), scores.toJson(), 0);
    }
}
