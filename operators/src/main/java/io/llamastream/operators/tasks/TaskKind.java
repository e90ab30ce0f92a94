package io.llamastream.operators.tasks;

/**
 * What the pipeline does with a task's reply: which decoding path runs (free generation, forced
 * label scoring, grammar-constrained JSON) and which parser turns the reply into the result's
 * {@code result} field. A task defined in the tasks file picks one of these as its {@code kind}.
 */
public enum TaskKind {
    MODERATE, TRANSLATE, CLASSIFY, EXTRACT, GENERATE;

    /** The kind for a tasks-file value such as {@code "extract"}; null if unknown. */
    public static TaskKind fromName(String name) {
        for (TaskKind k : values()) {
            if (k.name().equalsIgnoreCase(name)) {
                return k;
            }
        }
        return null;
    }
}
