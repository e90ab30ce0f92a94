package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code demo --compare-engine} on a small stream: the raw engine and the streaming job give every
 * event the same answer (reply text, or dead-letter code) from the same prompts, and the report
 * carries both sides' rates and their ratio. No figure is asserted: speed belongs in benchmarks.
 */
class EngineComparisonTest {

    @Test
    void rawEngineAndJobAnswerEveryEventAlikeAndTheReportHasBothRates() throws Exception {
        DemoCommand cmd = new DemoCommand();
        cmd.timeoutS = 240;
        int pass = DemoSample.bundled().size();
        // Warm-up and timed events from different passes of the sample, so no session has turns in both.
        List<DemoSample.Event> all = DemoSample.bundled().cycle(pass + 30);
        OutputTracker tracker = new OutputTracker();

        EngineComparison.Report report = new EngineComparison(
                        cmd, Fixtures.model("demo-tasks"), all.subList(pass - 10, pass), all.subList(pass, pass + 30))
                .compare(tracker);

        assertEquals(List.of(), report.differences(), "events answered differently by the engine and the job");
        KafkaExactlyOnceTest.assertExactlyOnce(tracker, 30);
        assertTrue(
                tracker.deadLetters() > 0 && tracker.deadLetters() < 30, "the sample mixes results and dead letters");
        assertEquals(report.engine().promptTokens(), report.jobVisible().promptTokens(), "same prompts");
        assertEquals(report.engine().completionTokens(), report.jobVisible().completionTokens(), "same replies");
        assertTrue(report.engine().completionTokens() > 0, "tokens were generated");
        String text = report.text();
        assertTrue(text.contains("raw engine (scheduler, all submitted at once)"), text);
        assertTrue(text.contains("job, first send -> last output committed"), text);
        assertTrue(text.contains("ratio job / engine (events/s)"), text);
        assertTrue(text.contains("answers: identical for all 30 events"), text);
    }
}
