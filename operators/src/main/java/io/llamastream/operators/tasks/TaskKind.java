package io.llamastream.operators.tasks;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The catalogue of task kinds, each with the {@link TaskHandler} that does its work: decoding
 * path (free generation, label scoring, grammar-constrained JSON), request checks and reply
 * parsing. A task defined in the tasks file picks one of these as its {@code kind}; adding a kind
 * means one handler class and one constant here.
 */
public enum TaskKind {
    MODERATE(new ModerateHandler()),
    TRANSLATE(new TranslateHandler()),
    CLASSIFY(new ClassifyHandler()),
    EXTRACT(new ExtractHandler()),
    GENERATE(new GenerateHandler());

    private final TaskHandler handler;

    TaskKind(TaskHandler handler) {
        this.handler = handler;
    }

    public TaskHandler handler() {
        return handler;
    }

    /** The kind's name in a tasks file, such as {@code "extract"}. */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind for a tasks-file value such as {@code "extract"}; null if unknown. */
    public static TaskKind fromName(String name) {
        for (TaskKind k : values()) {
            if (k.name().equalsIgnoreCase(name)) {
                return k;
            }
        }
        return null;
    }

    /** Every kind's tasks-file name, comma-separated, for error messages. */
    static String fileNames() {
        return Arrays.stream(values()).map(TaskKind::fileName).collect(Collectors.joining(", "));
    }
}
