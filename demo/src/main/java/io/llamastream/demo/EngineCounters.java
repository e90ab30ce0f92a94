package io.llamastream.demo;

import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.operators.SharedEngine;
import java.util.List;
import java.util.Locale;

/**
 * The local demo's view of the engine it shares with its job (same JVM): the scheduler's counters,
 * sampled while the job runs (the job's end releases the engine), summed over the engines loaded,
 * for the summary's engine line: steps, generated tokens and the mean batch, counted as generated
 * tokens per engine step (every running sequence makes one token per decode step; steps that only
 * prefill count too, so it is a lower bound on the decode batch).
 */
final class EngineCounters {
    private long steps;
    private long generated;

    void sample() {
        long s = 0;
        long g = 0;
        for (Scheduler.Stats stats : SharedEngine.loadedStats()) {
            s += stats.steps();
            g += stats.generatedTokens();
        }
        if (s >= steps) {
            steps = s;
            generated = g;
        }
    }

    List<String> summary() {
        if (steps == 0) {
            return List.of();
        }
        return List.of(String.format(
                Locale.ROOT,
                "engine:        %d steps, %d tokens generated, mean batch %.1f " + "(generated tokens per step)",
                steps,
                generated,
                (double) generated / steps));
    }
}
