package io.llamastream.engine.serving;

/**
 * Knobs of the continuous-batching {@link Scheduler}: how many sequences run at once, how many
 * tokens one step may process (decode tokens first, then prefill chunks fill the rest), the KV
 * memory the running sequences may use (new requests wait when it is spent), and the prefix
 * cache's block size and byte budget (0 turns it off).
 */
public record SchedulerConfig(int maxSequences, int tokenBudget, long kvBudgetBytes, int prefixBlockSize,
                              long prefixCacheBytes) {

    public SchedulerConfig {
        if (maxSequences < 1 || tokenBudget < 1 || kvBudgetBytes < 1 || prefixBlockSize < 1 || prefixCacheBytes < 0) {
            throw new IllegalArgumentException("scheduler settings must be positive: " + maxSequences + ", "
                    + tokenBudget + ", " + kvBudgetBytes + ", " + prefixBlockSize + ", " + prefixCacheBytes);
        }
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(32, 512, 1L << 30, 32, 256L << 20);
    }

    public SchedulerConfig withMaxSequences(int n) {
        return new SchedulerConfig(n, tokenBudget, kvBudgetBytes, prefixBlockSize, prefixCacheBytes);
    }

    public SchedulerConfig withTokenBudget(int n) {
        return new SchedulerConfig(maxSequences, n, kvBudgetBytes, prefixBlockSize, prefixCacheBytes);
    }

    public SchedulerConfig withKvBudgetBytes(long n) {
        return new SchedulerConfig(maxSequences, tokenBudget, n, prefixBlockSize, prefixCacheBytes);
    }

    public SchedulerConfig withPrefixCacheBytes(long n) {
        return new SchedulerConfig(maxSequences, tokenBudget, kvBudgetBytes, prefixBlockSize, n);
    }
}
