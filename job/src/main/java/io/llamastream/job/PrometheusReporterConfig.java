package io.llamastream.job;

import java.util.Map;

/**
 * The Flink configuration that turns on Flink's Prometheus reporter (an HTTP endpoint serving
 * every metric, the job's own included); the same keys go into a cluster's configuration, as
 * the Helm chart's {@code flinkConfiguration} does.
 */
public final class PrometheusReporterConfig {
    public static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private PrometheusReporterConfig() {}

    /** {@code port} is a port or a range such as {@code 9249-9259}. */
    public static Map<String, String> entries(String port) {
        return Map.of(
                "metrics.reporters",
                "prom",
                "metrics.reporter.prom.factory.class",
                FACTORY,
                "metrics.reporter.prom.port",
                port);
    }
}
