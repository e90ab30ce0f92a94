package io.llamastream.engine.scheduler;

import io.llamastream.engine.weights.MemoryPlan;

/**
 * Knobs of the continuous-batching {@link Scheduler}: how many sequences run at once, how many
 * tokens one step may process (decode tokens first, then prefill chunks fill the rest), the KV
 * memory the running sequences may use (new requests wait when it is spent), the prefix cache's
 * block size and byte budget (0 turns it off), and how long an idle engine waits for more
 * requests to arrive before starting a batch that is not full ({@code maxWaitMs}: the
 * micro-batch time trigger; 0 starts at once).
 */
public record SchedulerConfig(
        int maxSequences, int tokenBudget, long kvBudgetBytes, int pageSize, long prefixCacheBytes, long maxWaitMs) {

    public SchedulerConfig {
        if (maxSequences < 1
                || tokenBudget < 1
                || kvBudgetBytes < 1
                || pageSize < 1
                || prefixCacheBytes < 0
                || maxWaitMs < 0) {
            throw new IllegalArgumentException(
                    "scheduler settings must be positive: " + maxSequences + ", " + tokenBudget + ", " + kvBudgetBytes
                            + ", " + pageSize + ", " + prefixCacheBytes + ", " + maxWaitMs);
        }
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(32, 512, MemoryPlan.DEFAULT_KV_BYTES, 32, 256L << 20, 0);
    }

    public SchedulerConfig withMaxWaitMs(long ms) {
        return new SchedulerConfig(maxSequences, tokenBudget, kvBudgetBytes, pageSize, prefixCacheBytes, ms);
    }

    public SchedulerConfig withMaxSequences(int n) {
        return new SchedulerConfig(n, tokenBudget, kvBudgetBytes, pageSize, prefixCacheBytes, maxWaitMs);
    }

    public SchedulerConfig withTokenBudget(int n) {
        return new SchedulerConfig(maxSequences, n, kvBudgetBytes, pageSize, prefixCacheBytes, maxWaitMs);
    }

    public SchedulerConfig withKvBudgetBytes(long n) {
        return new SchedulerConfig(maxSequences, tokenBudget, n, pageSize, prefixCacheBytes, maxWaitMs);
    }

    public SchedulerConfig withPrefixCacheBytes(long n) {
        return new SchedulerConfig(maxSequences, tokenBudget, kvBudgetBytes, pageSize, n, maxWaitMs);
    }
}
