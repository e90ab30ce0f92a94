package io.llamastream.operators.metrics;

import io.llamastream.engine.model.ModelRegistry;
import io.llamastream.engine.scheduler.Scheduler;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The inference operator's metrics: request, prompt-token and completion-token rates (meters over
 * 60 s), engine batch size and queue depth and prefix-cache hit ratio (gauges read from the
 * shared scheduler, so every subtask of a TaskManager reports the same engine), models loaded
 * by this TaskManager's {@link ModelRegistry} ({@code modelLoads}: a restart that found the model
 * still in memory leaves it unchanged), tokens routed to
 * each expert per layer, in-flight requests of this subtask, and latency histograms in ms (queue,
 * prefill, decode, end-to-end; the last 1000 requests).
 */
public final class InferenceMetrics {
    private final Meter requests;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Histogram queueMs;
    private final Histogram prefillMs;
    private final Histogram decodeMs;
    private final Histogram totalMs;

    public InferenceMetrics(MetricGroup group, Scheduler scheduler, IntSupplier inFlight) {
        requests = group.meter("requestsPerSecond", new MeterView(group.counter("requests"), 60));
        promptTokens = group.counter("promptTokens");
        completionTokens = group.counter("completionTokens");
        group.meter("promptTokensPerSecond", new MeterView(promptTokens, 60));
        group.meter("completionTokensPerSecond", new MeterView(completionTokens, 60));
        group.gauge("batchSize", (Gauge<Integer>) () -> scheduler.stats().lastBatchSequences());
        group.gauge("queueDepth", (Gauge<Integer>) () -> scheduler.stats().queueDepth());
        group.gauge("prefixCacheHitRatio", (Gauge<Double>)
                () -> scheduler.prefixCacheStats().hitRatio());
        group.gauge("inFlight", (Gauge<Integer>) inFlight::getAsInt);
        group.gauge("kvCacheBytesInUse", (Gauge<Long>) () -> scheduler.stats().kvBytesInUse());
        group.gauge("preemptions", (Gauge<Long>) () -> scheduler.stats().preemptions());
        group.gauge("modelLoads", (Gauge<Long>) () -> ModelRegistry.jvm().loads());
        long[][] experts = scheduler.model().expertTokenCounts();
        for (int layer = 0; layer < experts.length; layer++) {
            if (experts[layer] == null) {
                continue;
            }
            for (int expert = 0; expert < experts[layer].length; expert++) {
                int l = layer;
                int e = expert;
                group.addGroup("layer", String.valueOf(layer))
                        .addGroup("expert", String.valueOf(expert))
                        .gauge("expertTokens", (Gauge<Long>)
                                () -> scheduler.model().expertTokenCounts()[l][e]);
            }
        }
        queueMs = group.histogram("queueMs", new DescriptiveStatisticsHistogram(1000));
        prefillMs = group.histogram("prefillMs", new DescriptiveStatisticsHistogram(1000));
        decodeMs = group.histogram("decodeMs", new DescriptiveStatisticsHistogram(1000));
        totalMs = group.histogram("endToEndMs", new DescriptiveStatisticsHistogram(1000));
    }

    public void completed(int prompt, int completion, long queue, long prefill, long decode, long total) {
        requests.markEvent();
        promptTokens.inc(prompt);
        completionTokens.inc(completion);
        queueMs.update(queue);
        prefillMs.update(prefill);
        decodeMs.update(decode);
        totalMs.update(total);
    }
}
