package io.llamastream.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./llamastream demo --compare-engine}: the same events through the raw engine
 * ({@link EngineRun}: the job's parse, tokenize and task handlers on a scheduler with the job's
 * settings, every request submitted at once) and then through the streaming job (the local demo,
 * sent once every task runs), in one JVM and one run, so both sides see the same machine. Prints
 * both rates, their ratio and whether every event got the same answer (the reply text, or the
 * dead-letter code).
 *
 * <p>Each side first takes a warm-up stream, untimed (the engine side also the timed events once),
 * so that the JIT has compiled the engine's kernels and the job's Flink and Kafka paths before
 * either timed run; each engine pass starts with an empty prefix cache, as the job's scheduler does.
 */
final class EngineComparison {

    /** One side's figures over the same events. */
    record Side(String name, int events, double seconds, double cpuSeconds, long promptTokens, long completionTokens) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double generatedPerSecond() {
            return completionTokens / seconds;
        }
    }

    /** Both sides and the events whose answers differ (empty when they agree on every event). */
    record Report(
            Side engine,
            Side jobVisible,
            Side jobWritten,
            Map<String, Double> engineCpu,
            Map<String, Double> jobCpu,
            int events,
            List<String> differences) {
        String text() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%nraw engine vs streaming job, same %d events%n", events));
            b.append(String.format(
                    Locale.ROOT,
                    "%-46s %8s %10s %10s %13s %9s%n",
                    "",
                    "seconds",
                    "events/s",
                    "gen tok/s",
                    "prompt tok/s",
                    "CPU s"));
            for (Side s : List.of(engine, jobVisible, jobWritten)) {
                b.append(String.format(
                        Locale.ROOT,
                        "%-46s %8.2f %10.1f %10.0f %13.0f %9s%n",
                        s.name(),
                        s.seconds(),
                        s.eventsPerSecond(),
                        s.generatedPerSecond(),
                        s.promptTokens() / s.seconds(),
                        s.cpuSeconds() > 0 ? String.format(Locale.ROOT, "%.2f", s.cpuSeconds()) : "-"));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "ratio job / engine (events/s): %.2f committed, %.2f written; "
                            + "CPU per event: engine %.1f ms, job %.1f ms (ratio %.2f)%n",
                    jobVisible.eventsPerSecond() / engine.eventsPerSecond(),
                    jobWritten.eventsPerSecond() / engine.eventsPerSecond(),
                    1e3 * engine.cpuSeconds() / events,
                    1e3 * jobVisible.cpuSeconds() / events,
                    engine.cpuSeconds() / jobVisible.cpuSeconds()));
            double demoOnly =
                    jobCpu.getOrDefault(CpuWindow.BROKER, 0.0) + jobCpu.getOrDefault(CpuWindow.DEMO_MAIN, 0.0);
            b.append(String.format(
                    Locale.ROOT,
                    "job's CPU without the in-JVM broker and the demo's reader: %.2f s, "
                            + "%.1f ms per event (ratio %.2f)%n",
                    jobVisible.cpuSeconds() - demoOnly,
                    1e3 * (jobVisible.cpuSeconds() - demoOnly) / events,
                    engine.cpuSeconds() / (jobVisible.cpuSeconds() - demoOnly)));
            b.append(String.format(Locale.ROOT, "%-62s %9s %9s%n", "CPU by thread kind (s)", "engine", "job"));
            Set<String> kinds = new LinkedHashSet<>(jobCpu.keySet());
            kinds.addAll(engineCpu.keySet());
            for (String kind : kinds) {
                double e = engineCpu.getOrDefault(kind, 0.0);
                double j = jobCpu.getOrDefault(kind, 0.0);
                if (e >= 0.005 || j >= 0.005) {
                    b.append(String.format(Locale.ROOT, "  %-60s %9.2f %9.2f%n", kind, e, j));
                }
            }
            b.append(
                    differences.isEmpty()
                            ? String.format(
                                    Locale.ROOT,
                                    "answers: identical for all %d events (reply text or dead-letter code)%n",
                                    events)
                            : String.format(
                                    Locale.ROOT,
                                    "answers: %d of %d events DIFFER, e.g.%n  %s%n",
                                    differences.size(),
                                    events,
                                    String.join("\n  ", differences.subList(0, Math.min(10, differences.size())))));
            return b.toString();
        }
    }

    private final DemoCommand cmd;
    private final Path modelDir;
    private final List<DemoSample.Event> warmUp;
    private final List<DemoSample.Event> stream;
    private final PrintStream out = System.out;

    /** Times {@code stream} on both sides after {@code warmUp} went through each, untimed (its ids must differ). */
    EngineComparison(DemoCommand cmd, Path modelDir, List<DemoSample.Event> warmUp, List<DemoSample.Event> stream) {
        this.cmd = cmd;
        this.modelDir = modelDir;
        this.warmUp = warmUp;
        this.stream = stream;
    }

    /**
     * The bundled sample cycled: its first pass ({@code warmUp} events, ids and sessions as sent in the plain
     * demo) warms both sides, the next {@code n} events (later passes: ids and sessions suffixed) are timed.
     */
    static EngineComparison ofBundledSample(DemoCommand cmd, Path modelDir, int warmUp, int n) {
        List<DemoSample.Event> all = DemoSample.bundled().cycle(warmUp + n);
        return new EngineComparison(cmd, modelDir, all.subList(0, warmUp), all.subList(warmUp, all.size()));
    }

    int run() throws Exception {
        OutputTracker tracker = new OutputTracker();
        Report report = compare(tracker);
        out.print(report.text());
        return report.differences().isEmpty() && tracker.done() == stream.size() && tracker.duplicates() == 0 ? 0 : 1;
    }

    /** Runs both sides; the job's outputs land in {@code tracker}. */
    Report compare(OutputTracker tracker) throws Exception {
        // Only the pipeline settings are read here; the job gets its broker address later.
        EngineRun engine = new EngineRun(cmd.jobConfig(modelDir, "unused:9092").pipelineSettings());
        out.printf(
                "raw engine: %d warm-up events and the %d events untimed, then the %d timed%n",
                warmUp.size(), stream.size(), stream.size());
        // The engine side has no exactly-once state, so it can warm up on the timed events themselves as well:
        // with only the warm-up pass behind it, its timed pass still spent seconds in the JIT compiler.
        engine.run(warmUp, cmd.timeoutS);
        engine.run(stream, cmd.timeoutS);
        System.gc(); // both timed windows start from a collected heap
        CpuWindow engineCpu = new CpuWindow();
        engineCpu.start();
        EngineRun.Outcome raw = engine.run(stream, cmd.timeoutS);
        engineCpu.stop();
        out.printf(
                Locale.ROOT,
                "raw engine: %d events in %.2f s (%.1f events/s)%n",
                stream.size(),
                raw.seconds(),
                stream.size() / raw.seconds());
        CpuWindow jobCpu = new CpuWindow();
        new LocalDemo(cmd, modelDir).run(warmUp, stream, tracker, jobCpu);
        Map<DemoSample.Event, String> jobAnswers = tracker.answers();
        List<String> differences = new ArrayList<>();
        for (DemoSample.Event e : stream) {
            String a = raw.answers().get(e);
            String b = jobAnswers.get(e);
            if (a == null || !a.equals(b)) {
                differences.add(
                        (e.id() != null ? e.id() : "(no id, " + e.label() + ")") + ": engine " + a + " | job " + b);
            }
        }
        double visible = tracker.elapsedSeconds(System.nanoTime());
        return new Report(
                new Side(
                        "raw engine (scheduler, all submitted at once)",
                        stream.size(),
                        raw.seconds(),
                        engineCpu.seconds(),
                        raw.promptTokens(),
                        raw.completionTokens()),
                new Side(
                        "job, first send -> last output committed",
                        stream.size(),
                        visible,
                        jobCpu.seconds(),
                        tracker.promptTokens(),
                        tracker.completionTokens()),
                new Side(
                        "job, first send -> last result written",
                        stream.size(),
                        tracker.secondsToLastResultWritten(),
                        0,
                        tracker.promptTokens(),
                        tracker.completionTokens()),
                engineCpu.byKind(),
                jobCpu.byKind(),
                stream.size(),
                differences);
    }
}
