package io.llamastream.operators.tasks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a task's user message from a request: the template's placeholders filled from the
 * request text, the target language's name, the labels and the extraction schema's keys, joined
 * the way the demo-tasks model was trained to read them ("positive, negative or neutral",
 * "the product and the rating", {@code "product" and "rating"}).
 */
public final class UserMessage {
    private UserMessage() {}

    /** {@code targetLanguage}, {@code labels} and {@code schemaKeys} may be null when the task does not use them. */
    public static String render(
            TaskDefinition task, String text, String targetLanguage, List<String> labels, List<String> schemaKeys) {
        Map<String, String> values = new HashMap<>();
        values.put("text", text == null ? "" : text);
        if (targetLanguage != null) {
            values.put("target_language", task.languages().getOrDefault(targetLanguage, targetLanguage));
        }
        if (labels != null && !labels.isEmpty()) {
            values.put("labels", joinWith(labels, ", ", " or "));
        }
        if (schemaKeys != null && !schemaKeys.isEmpty()) {
            values.put(
                    "fields", joinWith(schemaKeys.stream().map(k -> "the " + k).toList(), ", ", " and "));
            values.put(
                    "keys",
                    joinWith(schemaKeys.stream().map(k -> "\"" + k + "\"").toList(), ", ", " and "));
        }
        return task.template().render(values);
    }

    /** "a", "a or b", "a, b or c". */
    static String joinWith(List<String> items, String separator, String last) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(separator, items.subList(0, items.size() - 1)) + last + items.get(items.size() - 1);
    }
}
