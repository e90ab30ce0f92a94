package io.llamastream.engine.scheduler;

import java.util.List;

/**
 * What one engine step computes, as {@link Scheduler#plan()} decided it: which sequences take
 * part and how many tokens each feeds (1 for a decoding sequence, a prefill chunk otherwise), and
 * from which of those tokens on it needs logits. A {@link ModelRunner} executes it;
 * {@link Scheduler#apply} hands the logits back. An empty plan means nothing runs now: the engine
 * is idle, or holding a partial batch for {@code waitNanos} more.
 */
public record StepPlan(List<Entry> entries, long waitNanos) {

    /** One sequence's part of the step: {@code tokens} fed, logits for those from {@code logitsFrom} on. */
    public record Entry(Sequence sequence, int tokens, int logitsFrom) {

        public Entry {
            if (tokens < 1 || logitsFrom < 0 || logitsFrom > tokens) {
                throw new IllegalArgumentException("entry of " + tokens + " tokens, logits from " + logitsFrom);
            }
        }

        /** Rows of logits the step returns for this entry. */
        public int logitRows() {
            return tokens - logitsFrom;
        }
    }

    public StepPlan {
        entries = List.copyOf(entries);
    }

    /** Nothing to run; {@code waitNanos} until a held batch should start anyway (0: until woken). */
    static StepPlan idle(long waitNanos) {
        return new StepPlan(List.of(), waitNanos);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Tokens the step feeds in all (its share of the token budget). */
    public int tokens() {
        return entries.stream().mapToInt(Entry::tokens).sum();
    }

    /** Rows of logits the step returns in all. */
    public int logitRows() {
        return entries.stream().mapToInt(Entry::logitRows).sum();
    }
}
