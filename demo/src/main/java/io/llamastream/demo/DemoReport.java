package io.llamastream.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the demo prints about a run: the progress line while it runs and the summary at its end. */
final class DemoReport {
    private DemoReport() {}

    /** One progress line: elapsed time, events done, rates, latency quantiles, dead letters. */
    static String progress(OutputTracker t, int total, long now, long t0) {
        double s = Math.max(1e-9, t.elapsedSeconds(now)); // 0 before the first send
        return String.format(
                Locale.ROOT,
                "[%4.0fs] %d/%d done  %.1f events/s  %.0f gen tok/s  %.0f prompt tok/s  p50 %s  p99 %s  DLQ %d",
                (now - t0) / 1e9,
                t.done(),
                total,
                t.done() / s,
                t.completionTokens() / s,
                t.promptTokens() / s,
                ms(t.latencyQuantileMs(0.5)),
                ms(t.latencyQuantileMs(0.99)),
                t.deadLetters());
    }

    static String ms(long v) {
        return v < 0 ? "-" : v + " ms";
    }

    /**
     * The end-of-run report: per task events, results, dead letters and accuracy; then totals,
     * throughput, tokens and latency; then the run's own notes (injected faults, recovery, engine
     * figures), where the dump went, and any problem the tracker saw.
     */
    static void summary(
            PrintStream out, OutputTracker t, int total, long checkpointIntervalMs, List<String> notes, Path dump) {
        out.println();
        out.printf(
                "%-12s %7s %7s %14s  %s%n",
                "task", "events", "ok", "dead-lettered", "accuracy (known answers / expected errors)");
        int sumEvents = 0, sumOk = 0, sumDead = 0, sumKnown = 0, sumCorrect = 0;
        for (Map.Entry<String, OutputTracker.TaskStats> e : t.perTask().entrySet()) {
            OutputTracker.TaskStats s = e.getValue();
            String acc = "";
            if (s.known > 0) {
                acc = String.format(
                        Locale.ROOT, "%d/%d correct (%.0f%%)", s.correct, s.known, 100.0 * s.correct / s.known);
            }
            if (s.expectedErrors > 0) {
                acc += (acc.isEmpty() ? "" : "; ") + s.expectedErrorsMatched + "/" + s.expectedErrors
                        + " rejected as expected";
            }
            out.printf(
                    "%-12s %7d %7d %14d  %s%n", e.getKey(), s.events, s.ok, s.deadLettered, acc.isEmpty() ? "-" : acc);
            sumEvents += s.events;
            sumOk += s.ok;
            sumDead += s.deadLettered;
            sumKnown += s.known;
            sumCorrect += s.correct;
        }
        out.printf(
                "%-12s %7d %7d %14d  %s%n",
                "total",
                sumEvents,
                sumOk,
                sumDead,
                sumKnown > 0
                        ? String.format(
                                Locale.ROOT,
                                "%d/%d correct (%.0f%%)",
                                sumCorrect,
                                sumKnown,
                                100.0 * sumCorrect / sumKnown)
                        : "-");
        double secs = t.elapsedSeconds(System.nanoTime());
        out.println();
        out.printf(
                Locale.ROOT,
                "accounted for: %d/%d events (%d results + %d dead letters), duplicates %d, unmatched outputs %d%n",
                t.done(),
                total,
                t.done() - t.deadLetters(),
                t.deadLetters(),
                t.duplicates(),
                t.unmatched());
        out.printf(
                Locale.ROOT,
                "throughput:    %.1f events/s over %.1f s (first send to last committed output)%n",
                t.done() / secs,
                secs);
        out.printf(
                Locale.ROOT,
                "tokens:        %d generated (%.0f tok/s), %d prompt (%.0f tok/s)%n",
                t.completionTokens(),
                t.completionTokens() / secs,
                t.promptTokens(),
                t.promptTokens() / secs);
        out.printf(
                Locale.ROOT,
                "latency:       p50 %s, p99 %s, max %s (produce -> visible to read_committed; includes waiting for the next checkpoint, every %d ms)%n",
                ms(t.latencyQuantileMs(0.5)),
                ms(t.latencyQuantileMs(0.99)),
                ms(t.latencyQuantileMs(1.0)),
                checkpointIntervalMs);
        notes.forEach(out::println);
        if (dump != null) {
            out.println("dumped:        " + dump.resolve("results.jsonl") + ", " + dump.resolve("dead-letter.jsonl"));
        }
        List<String> problems = t.problems();
        if (!problems.isEmpty()) {
            out.println("problems (" + problems.size() + "):");
            problems.stream().limit(20).forEach(p -> out.println("  " + p));
        }
    }
}
