package io.llamastream.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.sampling.StopReason;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    static TextModel demo;
    static JsonNode cases;

    @BeforeAll
    static void load() {
        demo = DemoTasks.model(WeightFormat.F32);
        cases = DemoTasks.cases();
    }

    @Test
    void batchedGenerationGivesEachSequenceItsOwnGreedyTokens() throws Exception {
        try (Scheduler s = new Scheduler(
                demo, SchedulerConfig.defaults().withMaxSequences(12).withTokenBudget(300))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (JsonNode c : cases) {
                handles.add(s.submit(
                        InferenceRequest.generate(Fixtures.ints(c.get("prompt_ids")), SamplingParams.greedy(64))));
            }
            for (int i = 0; i < handles.size(); i++) {
                InferenceResult r = handles.get(i).result().get(120, TimeUnit.SECONDS);
                assertArrayEquals(Fixtures.ints(cases.get(i).get("greedy")), r.tokens(), "case " + i);
                assertEquals(StopReason.EOS, r.stopReason());
            }
            assertTrue(s.stats().steps() < 60 * 10, "requests were not batched: " + s.stats());
        }
    }

    @Test
    void sequencesJoiningMidFlightStillMatchTheReference() throws Exception {
        try (Scheduler s = new Scheduler(
                demo, SchedulerConfig.defaults().withMaxSequences(4).withTokenBudget(64))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                handles.add(s.submit(InferenceRequest.generate(
                        Fixtures.ints(cases.get(i * 5).get("prompt_ids")), SamplingParams.greedy(64))));
                Thread.sleep(3);
            }
            for (int i = 0; i < handles.size(); i++) {
                assertArrayEquals(
                        Fixtures.ints(cases.get(i * 5).get("greedy")),
                        handles.get(i).result().get(120, TimeUnit.SECONDS).tokens());
            }
        }
    }

    @Test
    void sharedPolicyPromptIsPrefilledOnceAndHitsGiveTheSameTokens() throws Exception {
        try (Scheduler s = new Scheduler(demo, SchedulerConfig.defaults())) {
            List<JsonNode> moderation = new ArrayList<>();
            cases.forEach(c -> {
                if (c.get("task").asText().equals("moderate")) {
                    moderation.add(c);
                }
            });
            InferenceResult first = s.submit(InferenceRequest.generate(
                            Fixtures.ints(moderation.get(0).get("prompt_ids")), SamplingParams.greedy(16)))
                    .result()
                    .get(60, TimeUnit.SECONDS);
            assertEquals(0, first.cachedTokens());
            for (JsonNode c : moderation.subList(1, moderation.size())) {
                InferenceResult r = s.submit(InferenceRequest.generate(
                                Fixtures.ints(c.get("prompt_ids")), SamplingParams.greedy(16)))
                        .result()
                        .get(60, TimeUnit.SECONDS);
                assertTrue(r.cachedTokens() >= 128, "cached only " + r.cachedTokens());
                assertArrayEquals(Fixtures.ints(c.get("greedy")), r.tokens());
            }
            assertEquals(moderation.size() - 1, s.prefixCacheStats().hits());
        }
    }

    @Test
    void scoringSumsTheContinuationLogProbabilities() throws Exception {
        int[] prompt = Fixtures.ints(cases.get(30).get("prompt_ids"));
        int[] continuation = Fixtures.ints(cases.get(30).get("greedy"));
        double expected = 0;
        int[] all = Arrays.copyOf(prompt, prompt.length + continuation.length);
        System.arraycopy(continuation, 0, all, prompt.length, continuation.length);
        float[] logits = demo.forward(new Batch().add(demo.newCache(), all), true);
        int v = demo.config().vocabSize();
        for (int i = 0; i < continuation.length; i++) {
            expected += FloatKernels.logSoftmaxAt(logits, (prompt.length - 1 + i) * v, v, continuation[i]);
        }
        try (Scheduler s = new Scheduler(demo, SchedulerConfig.defaults().withTokenBudget(16))) {
            InferenceResult r = s.submit(InferenceRequest.score(prompt, continuation))
                    .result()
                    .get(60, TimeUnit.SECONDS);
            assertEquals(expected, r.logProbability(), 1e-3);
            assertTrue(expected < 0 && expected > -5, "the reference answer should be likely: " + expected);
        }
    }

    @Test
    void requestsWaitWhenTheKvBudgetIsSpentAndStillComplete() throws Exception {
        long perPosition = 2L * 6 * demo.config().numKvHeads() * demo.config().headDim() * 4;
        try (Scheduler s = new Scheduler(demo, SchedulerConfig.defaults().withKvBudgetBytes(perPosition * 300))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                handles.add(s.submit(InferenceRequest.generate(
                        Fixtures.ints(cases.get(i).get("prompt_ids")), SamplingParams.greedy(64))));
            }
            for (int i = 0; i < handles.size(); i++) {
                assertArrayEquals(
                        Fixtures.ints(cases.get(i).get("greedy")),
                        handles.get(i).result().get(120, TimeUnit.SECONDS).tokens());
            }
        }
    }

    @Test
    void cancelledRequestStopsWithCancelledReason() throws Exception {
        try (Scheduler s = new Scheduler(demo, SchedulerConfig.defaults())) {
            RequestHandle h =
                    s.submit(InferenceRequest.generate(new int[] {1253, 1258}, SamplingParams.greedy(100_000 / 200)));
            h.cancel();
            assertEquals(
                    StopReason.CANCELLED, h.result().get(30, TimeUnit.SECONDS).stopReason());
        }
    }

    @Test
    void logitsProcessorCanForceTheNextToken() throws Exception {
        try (Scheduler s = new Scheduler(demo, SchedulerConfig.defaults())) {
            int forced = 77;
            InferenceRequest req = InferenceRequest.generate(
                            Fixtures.ints(cases.get(20).get("prompt_ids")), SamplingParams.greedy(3))
                    .withProcessor((logits, off, n, generated, count) -> {
                        for (int i = 0; i < n; i++) {
                            if (i != forced) {
                                logits[off + i] = Float.NEGATIVE_INFINITY;
                            }
                        }
                    });
            assertArrayEquals(
                    new int[] {forced, forced, forced},
                    s.submit(req).result().get(30, TimeUnit.SECONDS).tokens());
        }
    }

    @Test
    void anIdleEngineHoldsALoneRequestForMaxWaitBeforeStarting() throws Exception {
        try (Scheduler s = new Scheduler(
                demo, SchedulerConfig.defaults().withMaxSequences(4).withMaxWaitMs(300))) {
            InferenceResult r = s.submit(InferenceRequest.generate(
                            Fixtures.ints(cases.get(20).get("prompt_ids")), SamplingParams.greedy(16)))
                    .result()
                    .get(30, TimeUnit.SECONDS);
            assertTrue(r.queueNanos() >= 300_000_000L, "queued only " + r.queueNanos() / 1e6 + " ms");
            assertArrayEquals(Fixtures.ints(cases.get(20).get("greedy")), r.tokens());
        }
    }

    @Test
    void aFullBatchStartsWithoutWaitingForTheTimeTrigger() throws Exception {
        try (Scheduler s = new Scheduler(
                demo, SchedulerConfig.defaults().withMaxSequences(2).withMaxWaitMs(60_000))) {
            RequestHandle a = s.submit(InferenceRequest.generate(
                    Fixtures.ints(cases.get(20).get("prompt_ids")), SamplingParams.greedy(16)));
            RequestHandle b = s.submit(InferenceRequest.generate(
                    Fixtures.ints(cases.get(21).get("prompt_ids")), SamplingParams.greedy(16)));
            assertArrayEquals(
                    Fixtures.ints(cases.get(20).get("greedy")),
                    a.result().get(30, TimeUnit.SECONDS).tokens());
            assertArrayEquals(
                    Fixtures.ints(cases.get(21).get("greedy")),
                    b.result().get(30, TimeUnit.SECONDS).tokens());
        }
    }

    @Test
    void sequencesOutgrowingTheKvBudgetArePreemptedAndStillGiveTheirOwnTokens() throws Exception {
        int kvWidth = demo.config().numKvHeads() * demo.config().headDim();
        int page = 16;
        long pageBytes = (long) page * kvWidth * Float.BYTES;
        // Four extraction prompts of 41-47 tokens take three pages per layer for K and V each;
        // their replies cross position 48, so someone must give pages back.
        List<JsonNode> extracts = new ArrayList<>();
        cases.forEach(c -> {
            if (c.get("task").asText().equals("extract") && extracts.size() < 4) {
                extracts.add(c);
            }
        });
        long budget = 4L * 3 * 2 * demo.config().numLayers() * pageBytes;
        try (Scheduler s = new Scheduler(demo, new SchedulerConfig(4, 512, budget, page, 0, 0))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (JsonNode c : extracts) {
                handles.add(s.submit(
                        InferenceRequest.generate(Fixtures.ints(c.get("prompt_ids")), SamplingParams.greedy(32))));
            }
            for (int i = 0; i < handles.size(); i++) {
                assertArrayEquals(
                        Fixtures.ints(extracts.get(i).get("greedy")),
                        handles.get(i).result().get(120, TimeUnit.SECONDS).tokens(),
                        "case " + i);
            }
            assertTrue(s.stats().preemptions() > 0, "the budget never forced a preemption: " + s.stats());
            assertEquals(0, s.stats().kvBytesInUse(), "finished sequences return their pages");
        }
    }

    @Test
    void batchedQ8GenerationEqualsEachSequenceRunAloneInQ8() throws Exception {
        TextModel q8 = DemoTasks.model(WeightFormat.Q8);
        try (Scheduler s =
                new Scheduler(q8, SchedulerConfig.defaults().withMaxSequences(8).withTokenBudget(128))) {
            List<RequestHandle> handles = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < cases.size(); i += 3) {
                int[] prompt = Fixtures.ints(cases.get(i).get("prompt_ids"));
                prompts.add(prompt);
                handles.add(s.submit(InferenceRequest.generate(prompt, SamplingParams.greedy(64))));
            }
            for (int i = 0; i < handles.size(); i++) {
                int[] single = Scheduler.runAlone(
                                q8, InferenceRequest.generate(prompts.get(i), SamplingParams.greedy(64)))
                        .tokens();
                assertArrayEquals(
                        single,
                        handles.get(i).result().get(120, TimeUnit.SECONDS).tokens(),
                        "prompt " + i);
            }
        }
    }
}
