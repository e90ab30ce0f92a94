package io.llamastream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.kafka.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's event stream. The bundled sample ({@code /demo/sample.jsonl}) holds one entry per
 * line: {@code {"event": {...request...}, "expected": "...answer..."}} for the 60 golden cases of
 * the demo-tasks model (moderation, EN<->FR translation, sentiment, extraction), second turns of
 * two-turn sessions (answer unknown), and deliberately bad events ({@code "raw"} bytes or an
 * event with {@code "expected_error"}; {@code "pad_text_to"} pads the text to that many chars).
 * {@link #cycle} repeats it to any length with unique ids and sessions.
 */
public final class DemoSample {

    /** Label used in the summary for events whose task cannot be read. */
    public static final String INVALID = "(invalid)";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One event to produce. {@code id} is null when the event has none (it is then matched to its
     * output through the dead letter's source offset); {@code label} is the task shown in the
     * summary; {@code expected} the known answer or null; {@code expectedError} an error code or null.
     */
    public record Event(String id, String label, byte[] key, byte[] value, String expected, String expectedError) {}

    private record Entry(JsonNode event, String raw, String expected, String expectedError, int padTextTo) {}

    private final List<Entry> entries;

    private DemoSample(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the sample has no events");
        }
        this.entries = entries;
    }

    /** The bundled sample. */
    public static DemoSample bundled() {
        try (InputStream in = DemoSample.class.getResourceAsStream("/demo/sample.jsonl")) {
            if (in == null) {
                throw new IllegalStateException("bundled sample /demo/sample.jsonl missing from the classpath");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DemoSample parse(List<String> lines) {
        List<Entry> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                out.add(new Entry(
                        n.get("event"),
                        n.hasNonNull("raw") ? n.get("raw").asText() : null,
                        n.hasNonNull("expected") ? n.get("expected").asText() : null,
                        n.hasNonNull("expected_error") ? n.get("expected_error").asText() : null,
                        n.path("pad_text_to").asInt(0)));
            } catch (IOException e) {
                throw new IllegalArgumentException("bad sample line: " + line, e);
            }
        }
        return new DemoSample(out);
    }

    /**
     * A user's JSONL file of request events, each line sent as is (blank lines skipped); no known
     * answers. Lines that are not JSON are sent too and end in the dead-letter topic.
     */
    public static List<Event> fromRequestsFile(Path file) {
        List<Event> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String id = null;
            String label = INVALID;
            try {
                JsonNode n = JSON.readTree(line);
                if (n.path("id").isTextual() && !n.path("id").asText().isBlank()) {
                    id = n.get("id").asText();
                }
                if (n.path("task").isTextual()) {
                    label = n.get("task").asText();
                }
            } catch (IOException ignored) {
                // sent anyway: the job dead-letters it
            }
            byte[] value = line.getBytes(StandardCharsets.UTF_8);
            out.add(new Event(id, label, id == null ? null : id.getBytes(StandardCharsets.UTF_8), value, null, null));
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    /**
     * {@code n} events: the sample repeated, pass {@code c > 0} suffixing ids and sessions with
     * {@code ~c} so that every id stays unique and every session keeps its own turns.
     */
    public List<Event> cycle(int n) {
        List<Event> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i % entries.size());
            int pass = i / entries.size();
            String suffix = pass == 0 ? "" : "~" + pass;
            if (e.raw != null) {
                out.add(new Event(null, INVALID, null, e.raw.getBytes(StandardCharsets.UTF_8), null, e.expectedError));
                continue;
            }
            ObjectNode ev = e.event.deepCopy();
            String id = ev.path("id").isTextual() ? ev.get("id").asText() + suffix : null;
            if (id != null) {
                ev.put("id", id);
            }
            if (ev.path("session").isTextual()) {
                ev.put("session", ev.get("session").asText() + suffix);
            }
            if (e.padTextTo > 0) {
                StringBuilder text = new StringBuilder(ev.path("text").asText());
                String filler = "The dog carries a flower on Sunday. ";
                while (text.length() < e.padTextTo) {
                    text.append(filler);
                }
                ev.put("text", text.toString());
            }
            String label = ev.path("task").isTextual() ? ev.get("task").asText() : INVALID;
            String key = ev.path("session").isTextual() ? ev.get("session").asText() : id;
            byte[] value;
            try {
                value = JSON.writeValueAsBytes(ev);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            out.add(new Event(
                    id,
                    label,
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value,
                    e.expected,
                    e.expectedError));
        }
        return out;
    }

    /** Whether a request's value parses as a request at all (used by tests to double-check the sample). */
    static boolean parses(byte[] value) {
        try {
            EventJson.readRequest(value);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
