package io.llamastream.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The three topics of a llamastream job: input requests, results and dead letters. Defaults:
 * names {@value #DEFAULT_REQUESTS}, {@value #DEFAULT_RESULTS}, {@value #DEFAULT_DEAD_LETTER};
 * requests and results get the given partition count and 7 days' retention; the dead-letter topic,
 * low in volume but read by people investigating failures, gets 1 partition and 30 days.
 */
public record TopicSpecs(TopicSpec requests, TopicSpec results, TopicSpec deadLetters) {

    public static final String DEFAULT_REQUESTS = "llamastream.requests";
    public static final String DEFAULT_RESULTS = "llamastream.results";
    public static final String DEFAULT_DEAD_LETTER = "llamastream.dead-letter";

    private static final long SEVEN_DAYS_MS = Duration.ofDays(7).toMillis();
    private static final long THIRTY_DAYS_MS = Duration.ofDays(30).toMillis();

    public TopicSpecs {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(results, "results");
        Objects.requireNonNull(deadLetters, "deadLetters");
        if (requests.name().equals(results.name())
                || requests.name().equals(deadLetters.name())
                || results.name().equals(deadLetters.name())) {
            throw new IllegalArgumentException(
                    "the requests, results and dead-letter topics must have distinct names, got '" + requests.name()
                            + "', '" + results.name() + "', '" + deadLetters.name() + "'");
        }
    }

    /** The default names with the given partition count (requests and results) and replication factor. */
    public static TopicSpecs defaults(int partitions, short replicationFactor) {
        return named(DEFAULT_REQUESTS, DEFAULT_RESULTS, DEFAULT_DEAD_LETTER, partitions, replicationFactor);
    }

    public static TopicSpecs named(
            String requests, String results, String deadLetters, int partitions, short replicationFactor) {
        return new TopicSpecs(
                new TopicSpec(requests, partitions, replicationFactor, SEVEN_DAYS_MS, TopicSpec.DELETE),
                new TopicSpec(results, partitions, replicationFactor, SEVEN_DAYS_MS, TopicSpec.DELETE),
                new TopicSpec(deadLetters, 1, replicationFactor, THIRTY_DAYS_MS, TopicSpec.DELETE));
    }

    public List<TopicSpec> all() {
        return List.of(requests, results, deadLetters);
    }
}
