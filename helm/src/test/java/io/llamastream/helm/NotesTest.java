package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NotesTest {

    @Test
    void notesShowTheTaskManagerMemoryBreakdown() {
        String notes = Chart.notes(Chart.productionValues());
        assertTrue(
                notes.contains(
                        "106496 MiB = model 76 GiB + KV cache 16 GiB + working heap 10 GiB (all Java heap) + overhead 2 GiB"),
                notes);
    }

    @Test
    void notesWarnWhenKafkaHasNoClientSecret() {
        assertTrue(Chart.notes(null).contains("PLAINTEXT"));
    }
}
