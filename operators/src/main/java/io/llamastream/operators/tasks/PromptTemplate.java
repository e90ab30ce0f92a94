package io.llamastream.operators.tasks;

import java.io.Serializable;
import java.util.Map;

/**
 * A user-message template with {@code {name}} placeholders, filled in one left-to-right pass so a
 * placeholder-looking string inside the substituted text (a user typing {@code {labels}}) is
 * never expanded again. Unknown placeholders stay as written, so templates may contain braces.
 */
public record PromptTemplate(String text) implements Serializable {

    public String render(Map<String, String> values) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{') {
                int close = text.indexOf('}', i + 1);
                if (close > i) {
                    String name = text.substring(i + 1, close);
                    String value = values.get(name);
                    if (value != null) {
                        out.append(value);
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    public boolean uses(String placeholder) {
        return text.contains("{" + placeholder + "}");
    }
}
