package io.llamastream.operators;

import io.llamastream.engine.scheduler.InferenceResult;
import java.util.List;

/**
 * One request's engine timings in ms and prompt tokens served from the prefix cache. A request
 * the engine ran as several (one scoring request per label) reports the slowest of each phase,
 * since they ran side by side, and the fewest cached tokens.
 */
record EngineTiming(long queueMs, long prefillMs, long decodeMs, int cachedTokens) {

    static EngineTiming of(List<InferenceResult> results, int promptTokens) {
        long queue = 0;
        long prefill = 0;
        long decode = 0;
        int cached = promptTokens;
        for (InferenceResult r : results) {
            queue = Math.max(queue, r.queueNanos() / 1_000_000);
            prefill = Math.max(prefill, r.prefillNanos() / 1_000_000);
            decode = Math.max(decode, r.decodeNanos() / 1_000_000);
            cached = Math.min(cached, r.cachedTokens());
        }
        return new EngineTiming(queue, prefill, decode, cached);
    }
}
