package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NotesTest {

  @Test
  void notesShowTheTaskManagerMemoryBreakdown() {
    String notes = Chart.notes(Chart.productionValues());
    assertTrue(notes.contains("80896 MiB = model 60 GiB + KV cache 16 GiB + heap 2 GiB + overhead 1 GiB"), notes);
  }

  @Test
  void notesWarnWhenKafkaHasNoClientSecret() {
    assertTrue(Chart.notes(null).contains("PLAINTEXT"));
  }
}
