package io.llamastream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSpecsTest {

    @Test
    void defaultsUseTheDocumentedNamesAndPartitionCounts() {
        TopicSpecs specs = TopicSpecs.defaults(6, (short) 3);
        assertEquals(
                List.of("llamastream.requests", "llamastream.results", "llamastream.dead-letter"),
                specs.all().stream().map(TopicSpec::name).toList());
        assertEquals(
                List.of(6, 6, 1),
                specs.all().stream().map(TopicSpec::partitions).toList());
        assertEquals((short) 3, specs.deadLetters().replicationFactor());
    }

    @Test
    void specConfigsCarryRetentionAndCleanupPolicy() {
        TopicSpec dlq = TopicSpecs.defaults(2, (short) 1).deadLetters();
        assertEquals(
                Map.of("retention.ms", Long.toString(Duration.ofDays(30).toMillis()), "cleanup.policy", "delete"),
                dlq.configs());
        assertEquals(Map.of("cleanup.policy", "delete"), new TopicSpec("x", 1, (short) 1, null, null).configs());
    }

    @Test
    void duplicateTopicNamesAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TopicSpecs.named("same", "same", "dlq", 1, (short) 1));
        assertEquals(
                "the requests, results and dead-letter topics must have distinct names, got 'same', 'same', 'dlq'",
                e.getMessage());
    }

    @Test
    void invalidSpecValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("x", 0, (short) 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("x", 1, (short) 0, null, null));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("x", 1, (short) 1, -2L, null));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("x", 1, (short) 1, null, "forever"));
    }
}
