package io.llamastream.demo;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.RecordSource;
import io.llamastream.kafka.ResultEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accounts for every produced event: matches each output record (result or dead letter, as read
 * with read_committed) to its event, by id or, for events without a usable id, by the dead
 * letter's source topic/partition/offset. Counts per task, duplicates, outputs of no known event,
 * end-to-end latencies (produce -> visible to a read_committed consumer) and token usage.
 * Not thread-safe: one reader thread feeds it, others read snapshots under its monitor.
 */
public final class OutputTracker {

    /** Counters of one task label. */
    public static final class TaskStats {
        public int events;
        public int ok;
        public int deadLettered;
        public int known;
        public int correct;
        public int expectedErrors;
        public int expectedErrorsMatched;
    }

    /** Events by id, in send order: an id sent twice has two events (the job dead-letters the repeat). */
    private final Map<String, List<DemoSample.Event>> byId = new HashMap<>();

    private final Map<String, DemoSample.Event> bySource = new HashMap<>();
    private final Map<DemoSample.Event, Long> sentAtNanos = new HashMap<>();
    private final Map<DemoSample.Event, String> doneAs = new HashMap<>();
    private final Map<DemoSample.Event, String> outputs = new HashMap<>();
    private final Map<String, TaskStats> perTask = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Long> latenciesMs = new ArrayList<>();
    private int total;
    private int done;
    private int duplicates;
    private final List<Object> pending = new ArrayList<>();
    private int deadLetters;
    private long promptTokens;
    private long completionTokens;
    private long firstSendNanos = -1;
    private long lastDoneNanos = -1;
    private long lastResultWrittenMs = -1;
    private long firstSendMs = -1;

    public synchronized void sent(DemoSample.Event e, String topic, int partition, long offset, long atNanos) {
        total++;
        if (firstSendNanos < 0) {
            firstSendNanos = atNanos;
            firstSendMs = System.currentTimeMillis() - (System.nanoTime() - atNanos) / 1_000_000;
        }
        if (e.id() != null) {
            byId.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
        }
        bySource.put(topic + "/" + partition + "/" + offset, e);
        sentAtNanos.put(e, atNanos);
        stats(e.label()).events++;
        if (!pending.isEmpty()) {
            // Outputs read before their event's send was acknowledged: try them again.
            List<Object> retry = new ArrayList<>(pending);
            pending.clear();
            for (Object o : retry) {
                if (o instanceof ResultEvent r) {
                    result(r, atNanos);
                } else {
                    deadLetter((DeadLetterEvent) o, atNanos);
                }
            }
        }
    }

    public synchronized void result(ResultEvent r, long atNanos) {
        DemoSample.Event e = withId(r.id());
        if (e == null) {
            pending.add(r);
            return;
        }
        if (!complete(e, "result", atNanos)) {
            return;
        }
        outputs.put(e, r.output());
        TaskStats s = stats(e.label());
        s.ok++;
        if (e.expected() != null) {
            s.known++;
            if (Answers.matches(e.label(), e.expected(), r)) {
                s.correct++;
            }
        }
        if (e.expectedError() != null) {
            s.expectedErrors++;
            problems.add("event '" + e.id() + "' should have been dead-lettered with " + e.expectedError()
                    + " but has a result");
        }
        if (r.usage() != null) {
            promptTokens += r.usage().promptTokens();
            completionTokens += r.usage().completionTokens();
        }
    }

    public synchronized void deadLetter(DeadLetterEvent d, long atNanos) {
        // The source offset names the very record (a repeated id's second copy, an event without a usable id);
        // the id is the fallback for dead letters without a source.
        DemoSample.Event e = null;
        if (d.source() != null) {
            RecordSource src = d.source();
            e = bySource.get(src.topic() + "/" + src.partition() + "/" + src.offset());
        }
        if (e == null) {
            e = withId(d.id());
        }
        if (e == null) {
            pending.add(d);
            return;
        }
        deadLetters++;
        if (!complete(e, "dead letter " + d.errorCode(), atNanos)) {
            return;
        }
        TaskStats s = stats(e.label());
        s.deadLettered++;
        if (e.expectedError() != null) {
            s.expectedErrors++;
            if (e.expectedError().equals(d.errorCode().name())) {
                s.expectedErrorsMatched++;
            } else {
                problems.add("event " + describe(e) + " dead-lettered with " + d.errorCode() + ", expected "
                        + e.expectedError() + ": " + d.message());
            }
        } else if (e.expected() != null) {
            s.known++;
        }
    }

    /** The first event with this id that has no output yet, else the first with this id (a duplicate), else null. */
    private DemoSample.Event withId(String id) {
        List<DemoSample.Event> events = id == null ? null : byId.get(id);
        if (events == null) {
            return null;
        }
        return events.stream().filter(ev -> !doneAs.containsKey(ev)).findFirst().orElse(events.get(0));
    }

    private boolean complete(DemoSample.Event e, String as, long atNanos) {
        String previous = doneAs.putIfAbsent(e, as);
        if (previous != null) {
            duplicates++;
            problems.add("event " + describe(e) + " came out twice: as " + previous + " and as " + as);
            return false;
        }
        done++;
        lastDoneNanos = atNanos;
        latenciesMs.add((atNanos - sentAtNanos.get(e)) / 1_000_000);
        return true;
    }

    /** The answer string of a result with this output, as {@link #answers} gives it. */
    public static String resultAnswer(String output) {
        return "result: " + output;
    }

    /**
     * Each accounted-for event's answer: {@code result: <output>} or {@code dead letter <CODE>}, the
     * form the raw-engine comparison compares.
     */
    public synchronized Map<DemoSample.Event, String> answers() {
        Map<DemoSample.Event, String> out = new HashMap<>();
        doneAs.forEach((e, as) -> out.put(e, outputs.containsKey(e) ? resultAnswer(outputs.get(e)) : as));
        return out;
    }

    /**
     * Notes when a result record was written (its Kafka timestamp: the sink writes it into the open
     * transaction as it arrives, before the checkpoint commits it).
     */
    public synchronized void resultWrittenAt(long epochMs) {
        lastResultWrittenMs = Math.max(lastResultWrittenMs, epochMs);
    }

    /**
     * Seconds from the first send to the last result record's write into the sink's transaction:
     * the job's own work, without the wait for the checkpoint that commits the last results.
     */
    public synchronized double secondsToLastResultWritten() {
        return firstSendMs < 0 || lastResultWrittenMs < 0
                ? 0
                : Math.max(1e-3, (lastResultWrittenMs - firstSendMs) / 1e3);
    }

    private static String describe(DemoSample.Event e) {
        return e.id() != null ? "'" + e.id() + "'" : "(no id, " + e.label() + ")";
    }

    private TaskStats stats(String label) {
        return perTask.computeIfAbsent(label, k -> new TaskStats());
    }

    public synchronized int total() {
        return total;
    }

    public synchronized int done() {
        return done;
    }

    public synchronized int duplicates() {
        return duplicates;
    }

    /** Outputs that match no produced event (so far). */
    public synchronized int unmatched() {
        return pending.size();
    }

    public synchronized int deadLetters() {
        return deadLetters;
    }

    public synchronized long promptTokens() {
        return promptTokens;
    }

    public synchronized long completionTokens() {
        return completionTokens;
    }

    public synchronized List<String> problems() {
        List<String> out = new ArrayList<>(problems);
        for (Object o : pending) {
            out.add("output of no produced event: " + o);
        }
        return out;
    }

    /** Seconds from the first send to the last completion (or to now while running). */
    public synchronized double elapsedSeconds(long nowNanos) {
        if (firstSendNanos < 0) {
            return 0;
        }
        long end = done == total && lastDoneNanos > 0 ? lastDoneNanos : nowNanos;
        return Math.max(1e-9, (end - firstSendNanos) / 1e9);
    }

    /** The {@code q}-quantile (0..1) of end-to-end latency in ms, or -1 before any output. */
    public synchronized long latencyQuantileMs(double q) {
        if (latenciesMs.isEmpty()) {
            return -1;
        }
        long[] sorted = latenciesMs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    public synchronized Map<String, TaskStats> perTask() {
        Map<String, TaskStats> copy = new LinkedHashMap<>();
        perTask.forEach((k, v) -> {
            TaskStats c = new TaskStats();
            c.events = v.events;
            c.ok = v.ok;
            c.deadLettered = v.deadLettered;
            c.known = v.known;
            c.correct = v.correct;
            c.expectedErrors = v.expectedErrors;
            c.expectedErrorsMatched = v.expectedErrorsMatched;
            copy.put(k, c);
        });
        return copy;
    }

    /** Events (by id, or label for id-less ones) with no output yet, at most {@code limit}. */
    public synchronized List<String> missing(int limit) {
        List<String> out = new ArrayList<>();
        for (DemoSample.Event e : sentAtNanos.keySet()) {
            if (!doneAs.containsKey(e) && out.size() < limit) {
                out.add(describe(e));
            }
        }
        return out;
    }
}
