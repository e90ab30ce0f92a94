package io.llamastream.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.sampling.StopReason;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's step contract, driven by hand on a scheduler without its loop thread:
 * {@code plan()} says which sequences feed how many tokens, the {@link ModelRunner} executes
 * the plan, {@code apply(plan, logits)} moves each sequence through its phases.
 */
class SchedulerPlanTest {
    static TextModel demo;
    static JsonNode cases;
    /** No prefix cache and no hold, so every plan is determined by the requests alone. */
    static final SchedulerConfig PLAIN = SchedulerConfig.defaults().withPrefixCacheBytes(0);

    @BeforeAll
    static void load() {
        demo = DemoTasks.model(WeightFormat.F32);
        cases = DemoTasks.cases();
    }

    static int[] prompt(int index) {
        return Fixtures.ints(cases.get(index).get("prompt_ids"));
    }

    static int[] greedy(int index) {
        return Fixtures.ints(cases.get(index).get("greedy"));
    }

    /** Plans, executes and applies one step; returns its plan. */
    static StepPlan step(Scheduler s) {
        StepPlan plan = s.plan();
        assertFalse(plan.isEmpty(), "nothing to run");
        s.apply(plan, s.runner().execute(plan));
        return plan;
    }

    /** Steps until every handle has its result. */
    static void runUntilDone(Scheduler s, List<RequestHandle> handles) {
        while (!handles.stream().allMatch(h -> h.result().isDone())) {
            step(s);
        }
    }

    @Test
    void aGenerationGoesFromPrefillThroughDecodeToDone() {
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withTokenBudget(16))) {
            RequestHandle h = s.submit(InferenceRequest.generate(prompt(20), SamplingParams.greedy(4)));
            Set<Sequence.Phase> phases = new LinkedHashSet<>();
            Sequence sequence = null;
            while (!h.result().isDone()) {
                StepPlan plan = s.plan();
                sequence = plan.entries().get(0).sequence();
                phases.add(sequence.phase());
                s.apply(plan, s.runner().execute(plan));
            }
            phases.add(sequence.phase());
            assertEquals(
                    List.of(Sequence.Phase.PREFILL, Sequence.Phase.DECODE, Sequence.Phase.DONE), List.copyOf(phases));
            assertArrayEquals(Arrays.copyOf(greedy(20), 4), h.result().join().tokens());
        }
    }

    @Test
    void aPromptIsPrefilledInChunksOfTheTokenBudgetWithLogitsOnlyForItsLastPosition() {
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withTokenBudget(16))) {
            s.submit(InferenceRequest.generate(prompt(20), SamplingParams.greedy(4)));
            StepPlan first = step(s);
            assertEquals(16, first.entries().get(0).tokens());
            assertEquals(0, first.entries().get(0).logitRows(), "no logits before the prompt's end");
            StepPlan second = step(s);
            assertEquals(prompt(20).length - 16, second.entries().get(0).tokens());
            assertEquals(1, second.entries().get(0).logitRows(), "the last prompt position gives the first token");
        }
    }

    @Test
    void decodeTokensArePlannedBeforePrefillChunksWhichTakeTheRestOfTheBudget() {
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withTokenBudget(16))) {
            RequestHandle a = s.submit(InferenceRequest.generate(prompt(20), SamplingParams.greedy(8)));
            step(s);
            step(s); // a's prompt (30 tokens) is in; it decodes from now on
            s.submit(InferenceRequest.generate(prompt(21), SamplingParams.greedy(8)));
            StepPlan plan = s.plan();
            assertEquals(2, plan.entries().size());
            StepPlan.Entry decode = plan.entries().get(0);
            assertEquals(Sequence.Phase.DECODE, decode.sequence().phase());
            assertEquals(1, decode.tokens());
            assertEquals(
                    Sequence.Phase.PREFILL, plan.entries().get(1).sequence().phase());
            assertEquals(15, plan.entries().get(1).tokens());
            assertEquals(16, plan.tokens());
            s.apply(plan, s.runner().execute(plan));
            assertFalse(a.result().isDone());
        }
    }

    @Test
    void aPrefillChunkStopsAtTheAttentionChunkBoundary() {
        int chunk = demo.config().attentionChunkSize();
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withTokenBudget(512))) {
            s.submit(InferenceRequest.generate(prompt(0), SamplingParams.greedy(4)));
            assertTrue(prompt(0).length > chunk, "a moderation prompt spans two attention chunks");
            StepPlan first = step(s);
            assertEquals(chunk, first.tokens());
            assertEquals(prompt(0).length - chunk, step(s).tokens());
        }
    }

    @Test
    void aScoringRequestIsDoneOnceItsContinuationIsFedWithoutDecoding() {
        int[] continuation = greedy(30);
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withTokenBudget(16))) {
            RequestHandle h = s.submit(InferenceRequest.score(prompt(30), continuation));
            List<Sequence.Phase> phases = new ArrayList<>();
            while (!h.result().isDone()) {
                StepPlan plan = step(s);
                phases.add(plan.entries().get(0).sequence().phase());
            }
            assertEquals(Sequence.Phase.DONE, phases.get(phases.size() - 1));
            assertFalse(phases.contains(Sequence.Phase.DECODE));
            InferenceResult r = h.result().join();
            assertEquals(StopReason.EOS, r.stopReason());
            assertTrue(r.logProbability() < 0, "a summed log-probability: " + r.logProbability());
        }
    }

    @Test
    void anIdleSchedulerHoldsAPartialBatchAndSaysForHowLong() {
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withMaxSequences(4).withMaxWaitMs(60_000))) {
            s.submit(InferenceRequest.generate(prompt(20), SamplingParams.greedy(4)));
            StepPlan plan = s.plan();
            assertTrue(plan.isEmpty());
            assertTrue(plan.waitNanos() > 0 && plan.waitNanos() <= 60_000_000_000L, "wait " + plan.waitNanos());
        }
    }

    @Test
    void whenTheStepOutgrowsTheKvBudgetTheYoungestGoesBackToWaitingAndStillGetsItsTokens() {
        int kvWidth = demo.config().numKvHeads() * demo.config().headDim();
        int page = 16;
        long pageBytes = (long) page * kvWidth * Float.BYTES;
        List<Integer> extracts = new ArrayList<>();
        for (int i = 0; i < cases.size() && extracts.size() < 4; i++) {
            if (cases.get(i).get("task").asText().equals("extract")) {
                extracts.add(i);
            }
        }
        long budget = 4L * 3 * 2 * demo.config().numLayers() * pageBytes;
        try (Scheduler s = Scheduler.stepped(demo, new SchedulerConfig(4, 512, budget, page, 0, 0))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (int i : extracts) {
                handles.add(s.submit(InferenceRequest.generate(prompt(i), SamplingParams.greedy(32))));
            }
            Sequence preempted = null;
            List<Sequence> planned = new ArrayList<>();
            while (preempted == null
                    && !handles.stream().allMatch(h -> h.result().isDone())) {
                StepPlan plan = step(s);
                plan.entries().forEach(e -> {
                    if (!planned.contains(e.sequence())) {
                        planned.add(e.sequence());
                    }
                });
                preempted = planned.stream()
                        .filter(q -> q.phase() == Sequence.Phase.WAITING)
                        .findFirst()
                        .orElse(null);
            }
            assertTrue(preempted != null, "the budget never forced a preemption");
            assertSame(planned.get(planned.size() - 1), preempted, "the youngest running sequence yields");
            runUntilDone(s, handles);
            for (int k = 0; k < handles.size(); k++) {
                assertArrayEquals(
                        greedy(extracts.get(k)), handles.get(k).result().join().tokens(), "case " + k);
            }
            assertEquals(0, s.stats().kvBytesInUse(), "finished sequences return their pages");
        }
    }

    @Test
    void steppingByHandBatchesLikeTheLoopAndGivesEachItsGreedyTokens() {
        try (Scheduler s = Scheduler.stepped(demo, PLAIN.withMaxSequences(6).withTokenBudget(128))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 20; i < 26; i++) {
                handles.add(s.submit(InferenceRequest.generate(prompt(i), SamplingParams.greedy(64))));
            }
            runUntilDone(s, handles);
            for (int k = 0; k < handles.size(); k++) {
                assertArrayEquals(greedy(20 + k), handles.get(k).result().join().tokens(), "case " + (20 + k));
            }
            assertTrue(s.stats().lastBatchSequences() >= 1);
        }
    }

    @Test
    void closingASteppedSchedulerFailsWhatIsStillRunning() {
        RequestHandle h;
        try (Scheduler s = Scheduler.stepped(demo, PLAIN)) {
            h = s.submit(InferenceRequest.generate(prompt(20), SamplingParams.greedy(4)));
            step(s);
        }
        assertTrue(h.result().isCompletedExceptionally());
    }
}
