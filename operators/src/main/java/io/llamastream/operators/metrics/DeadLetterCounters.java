package io.llamastream.operators.metrics;

import io.llamastream.kafka.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * One counter per {@link ErrorCode} under {@code deadLetters.<CODE>}, registered up front so a
 * dashboard sees zeros rather than missing series. Each operator that dead-letters owns one.
 */
public final class DeadLetterCounters {
    private final Map<ErrorCode, Counter> counters = new EnumMap<>(ErrorCode.class);

    public DeadLetterCounters(MetricGroup operatorGroup) {
        MetricGroup group = operatorGroup.addGroup("deadLetters");
        for (ErrorCode code : ErrorCode.values()) {
            counters.put(code, group.counter(code.name()));
        }
    }

    public void inc(ErrorCode code) {
        counters.get(code).inc();
    }
}
