package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.RecordSource;
import io.llamastream.kafka.ResultEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTrackerTest {

    private static List<DemoSample.Event> input(Path dir, String... lines) throws Exception {
        Path file = dir.resolve("in.jsonl");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return DemoSample.fromRequestsFile(file);
    }

    private static DeadLetterEvent deadLetter(ErrorCode code, String id, long offset) {
        return DeadLetterEvent.of(
                code,
                code.name(),
                "{}".getBytes(StandardCharsets.UTF_8),
                new RecordSource("requests", 0, offset),
                id,
                "classify");
    }

    @Test
    void aRepeatedIdsDeadLetterAccountsForTheRepeatAndTheResultForTheFirst(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        List<DemoSample.Event> events = input(
                dir,
                "{\"id\":\"a\",\"task\":\"classify\",\"text\":\"x\"}",
                "{\"id\":\"a\",\"task\":\"classify\",\"text\":\"x\"}");
        OutputTracker t = new OutputTracker();
        t.sent(events.get(0), "requests", 0, 0, 1);
        t.sent(events.get(1), "requests", 0, 1, 2);

        t.deadLetter(deadLetter(ErrorCode.DUPLICATE_ID, "a", 1), 3);
        t.result(ResultEvent.ok("a", "classify", "pos", null, null, null, "m", null), 4);

        assertEquals(2, t.done());
        assertEquals(0, t.duplicates());
        assertEquals(List.of(), t.problems());
    }

    @Test
    void anEventWithoutAUsableIdIsAccountedForByItsDeadLettersSourceOffset(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        List<DemoSample.Event> events = input(dir, "{\"id\":\"  \",\"task\":\"classify\"}", "not json");
        OutputTracker t = new OutputTracker();
        t.sent(events.get(0), "requests", 1, 7, 1);
        t.sent(events.get(1), "requests", 0, 9, 2);

        t.deadLetter(
                DeadLetterEvent.of(
                        ErrorCode.MISSING_ID,
                        "no id",
                        "{}".getBytes(StandardCharsets.UTF_8),
                        new RecordSource("requests", 1, 7),
                        "  ",
                        "classify"),
                3);
        t.deadLetter(deadLetter(ErrorCode.NOT_JSON, null, 9), 4);

        assertEquals(2, t.done());
        assertEquals(0, t.unmatched());
    }
}
