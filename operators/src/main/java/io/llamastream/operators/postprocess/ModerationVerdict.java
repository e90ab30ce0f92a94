package io.llamastream.operators.postprocess;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Llama Guard style reply parsed: first line {@code safe} or {@code unsafe}, second line the
 * violated categories (S1-S14, comma-separated). Categories the task excludes are dropped, and an
 * unsafe verdict whose categories were all excluded counts as safe (the operator asked not to be
 * told about them). {@code score} is the probability the model gave {@code unsafe} as its first
 * token, read before sampling, so it is meaningful even when the verdict is {@code safe}.
 */
public record ModerationVerdict(boolean safe, List<String> categories, double score) {
    private static final Pattern CATEGORY = Pattern.compile("S(?:[1-9]|1[0-4])");

    /** @throws ReplyFormatException if the first line is neither safe nor unsafe */
    public static ModerationVerdict parse(String reply, List<String> excluded, double unsafeProbability) {
        String[] lines = reply.strip().split("\n", -1);
        String first = lines[0].strip();
        if (first.equals("safe")) {
            return new ModerationVerdict(true, List.of(), unsafeProbability);
        }
        if (!first.equals("unsafe")) {
            throw new ReplyFormatException("moderation reply does not start with safe/unsafe: " + abbreviate(reply));
        }
        List<String> categories = new ArrayList<>();
        if (lines.length > 1) {
            for (String c : lines[1].split(",")) {
                String code = c.strip();
                if (CATEGORY.matcher(code).matches() && !excluded.contains(code) && !categories.contains(code)) {
                    categories.add(code);
                }
            }
        }
        boolean allExcluded = lines.length > 1 && categories.isEmpty() && !excluded.isEmpty();
        return new ModerationVerdict(allExcluded, List.copyOf(categories), unsafeProbability);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("safe", safe);
        categories.forEach(o.putArray("categories")::add);
        if (categories.isEmpty()) {
            o.putArray("categories");
        }
        o.put("score", score);
        return o;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
