package io.llamastream.sql;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.PreparedRequest;
import io.llamastream.operators.SharedEngine;
import io.llamastream.operators.ValidRequest;
import io.llamastream.operators.grammar.JsonGrammarProcessor;
import io.llamastream.operators.postprocess.FirstTokenProbability;
import io.llamastream.operators.postprocess.LabelScores;
import io.llamastream.operators.postprocess.ModerationVerdict;
import io.llamastream.operators.postprocess.ReplyFormatException;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one prepared row on the shared engine the way the DataStream job's inference operator does
 * (label scoring for classify, the unsafe-probability probe for moderate, the JSON grammar for
 * extract, plain sampling otherwise) and parses the reply into the task's typed columns.
 */
final class TaskCall {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SharedEngine engine;

    TaskCall(SharedEngine engine) {
        this.engine = engine;
    }

    CompletableFuture<RowAnswer> run(TaskDefinition task, PreparedRequest p, float[] imageRows) {
        Scheduler scheduler = engine.scheduler();
        Tokenizer tokenizer = engine.model().tokenizer();
        int eot = engine.model().chatFormat().endOfTurnId();
        ValidRequest r = p.request();
        int[] prompt = p.promptIds();
        if (task.kind() == TaskKind.CLASSIFY) {
            List<CompletableFuture<InferenceResult>> scores = new ArrayList<>();
            for (String label : r.labels()) {
                int[] labelIds = tokenizer.encodeOrdinary(label);
                int[] continuation = Arrays.copyOf(labelIds, labelIds.length + 1);
                continuation[labelIds.length] = eot;
                scores.add(scheduler.submit(InferenceRequest.score(prompt, continuation).withImageRows(imageRows))
                        .result());
            }
            return CompletableFuture.allOf(scores.toArray(CompletableFuture[]::new)).thenApply(v -> {
                double[] logProbs = scores.stream().mapToDouble(f -> f.join().logProbability()).toArray();
                LabelScores label = new LabelScores(List.of(r.labels()), logProbs);
                Map<String, Double> probabilities = new LinkedHashMap<>();
                double[] probs = label.probabilities();
                for (int i = 0; i < probs.length; i++) {
                    probabilities.put(r.labels()[i], probs[i]);
                }
                return counts(p, 0).put("label", label.best()).put("probabilities", probabilities);
            });
        }
        double temperature = r.temperature() >= 0 ? r.temperature() : task.temperature();
        SamplingParams params = new SamplingParams(temperature, 0, 1.0, 0, r.seed(), p.maxTokens());
        InferenceRequest request = InferenceRequest.generate(prompt, params).withImageRows(imageRows);
        FirstTokenProbability unsafe = null;
        if (task.kind() == TaskKind.MODERATE) {
            unsafe = new FirstTokenProbability(tokenizer.encodeOrdinary("unsafe")[0]);
            request = request.withProcessor(unsafe);
        } else if (task.kind() == TaskKind.EXTRACT) {
            request = request.withProcessor(new JsonGrammarProcessor(engine.grammar(r.schemaJson()), eot,
                    p.maxTokens()));
        }
        FirstTokenProbability probe = unsafe;
        return scheduler.submit(request).result().thenApply(res -> {
            int[] tokens = res.tokens();
            int n = tokens.length > 0 && engine.model().config().isEos(tokens[tokens.length - 1]) ? tokens.length - 1
                    : tokens.length;
            String output = tokenizer.decode(Arrays.copyOf(tokens, n));
            RowAnswer answer = counts(p, tokens.length);
            return switch (task.kind()) {
                case MODERATE -> {
                    ModerationVerdict v = ModerationVerdict.parse(output, task.excludedCategories(), probe.probability());
                    yield answer.put("safe", v.safe()).put("categories", v.categories()).put("score", v.score());
                }
                case EXTRACT -> answer.put("json", requireJson(output));
                default -> answer.put("text", output);
            };
        });
    }

    private static String requireJson(String output) {
        try {
            JSON.readTree(output);
            return output;
        } catch (Exception e) {
            throw new ReplyFormatException("extraction reply is not JSON: " + output, e);
        }
    }

    private static RowAnswer counts(PreparedRequest p, int completion) {
        return new RowAnswer().put("prompt_tokens", p.promptIds().length).put("completion_tokens", completion)
                .put("input_truncated", p.truncated());
    }
}
