package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.JsonMatcher.Step;
import io.llamastream.operators.grammar.SchemaNode.ObjectSchema;
import io.llamastream.operators.grammar.SchemaNode.Property;
import java.util.List;

/** One open value of a {@link JsonMatcher}: a JSON object, its keys in the schema's order. */
final class ObjectFrame extends Frame {
    private static final int OPEN = 0,
            AFTER_OPEN = 1,
            KEY = 2,
            COLON = 3,
            AFTER_COLON = 4,
            VALUE = 5,
            AFTER_VALUE = 6,
            AFTER_COMMA = 7;
    final ObjectSchema schema;
    int phase = OPEN;
    int next; // properties before this index are written or skipped
    int chosen = -1; // the property whose key was just written
    boolean spaced;
    StringBuilder key = new StringBuilder();

    ObjectFrame(ObjectSchema schema) {
        this.schema = schema;
    }

    List<Property> props() {
        return schema.properties();
    }

    /** Keys that may come next: from {@code next} up to and including the first required one. */
    int lastCandidate() {
        return Math.min(schema.firstRequiredFrom(next), props().size() - 1);
    }

    boolean mayClose() {
        return schema.firstRequiredFrom(next) == props().size();
    }

    @Override
    Step feed(int b, JsonMatcher m) {
        switch (phase) {
            case OPEN:
                if (b == '{') {
                    phase = AFTER_OPEN;
                    return Step.ACCEPT;
                }
                return Step.REJECT;
            case AFTER_OPEN:
                if (b == '"') {
                    phase = KEY;
                    key.setLength(0);
                    return Step.ACCEPT;
                }
                return b == '}' && mayClose() ? Step.DONE : Step.REJECT;
            case AFTER_COMMA:
                if (b == ' ' && !spaced) {
                    spaced = true;
                    return Step.ACCEPT;
                }
                if (b == '"') {
                    phase = KEY;
                    key.setLength(0);
                    return Step.ACCEPT;
                }
                return Step.REJECT;
            case KEY:
                if (b == '"') {
                    for (int i = next; i <= lastCandidate(); i++) {
                        if (props().get(i).name().contentEquals(key)) {
                            chosen = i;
                            phase = COLON;
                            return Step.ACCEPT;
                        }
                    }
                    return Step.REJECT;
                }
                key.append((char) b);
                for (int i = next; i <= lastCandidate(); i++) {
                    if (props().get(i).name().startsWith(key.toString())) {
                        return Step.ACCEPT;
                    }
                }
                return Step.REJECT;
            case COLON:
                if (b == ':') {
                    phase = AFTER_COLON;
                    spaced = false;
                    return Step.ACCEPT;
                }
                return Step.REJECT;
            case AFTER_COLON:
                if (b == ' ' && !spaced) {
                    spaced = true;
                    return Step.ACCEPT;
                }
                phase = VALUE;
                return m.push(props().get(chosen).schema());
            case AFTER_VALUE:
                if (b == ',' && next < props().size()) {
                    phase = AFTER_COMMA;
                    spaced = false;
                    return Step.ACCEPT;
                }
                return b == '}' && mayClose() ? Step.DONE : Step.REJECT;
            default:
                return Step.REJECT;
        }
    }

    @Override
    void childDone() {
        next = chosen + 1;
        phase = AFTER_VALUE;
    }

    @Override
    int minRemaining() {
        switch (phase) {
            case OPEN:
                return schema.minLength();
            case AFTER_OPEN: {
                int best = mayClose() ? 1 : Integer.MAX_VALUE;
                for (int i = next; i <= lastCandidate(); i++) {
                    best = Math.min(best, keyAndRest(i, 0));
                }
                return best;
            }
            case AFTER_COMMA: {
                int best = Integer.MAX_VALUE;
                for (int i = next; i <= lastCandidate(); i++) {
                    best = Math.min(best, keyAndRest(i, 0));
                }
                return best;
            }
            case KEY: {
                int best = Integer.MAX_VALUE;
                for (int i = next; i <= lastCandidate(); i++) {
                    if (props().get(i).name().startsWith(key.toString())) {
                        best = Math.min(best, keyAndRest(i, key.length() + 1));
                    }
                }
                return best;
            }
            case COLON:
                return 1 + props().get(chosen).schema().minLength() + schema.closeFrom(chosen + 1, false);
            case AFTER_COLON:
                return props().get(chosen).schema().minLength() + schema.closeFrom(chosen + 1, false);
            case VALUE:
                return schema.closeFrom(chosen + 1, false);
            case AFTER_VALUE:
                return schema.closeFrom(next, false);
            default:
                return 0;
        }
    }

    /** Bytes for {@code "name":value} of property i (minus {@code written} key bytes) and the rest. */
    private int keyAndRest(int i, int written) {
        Property p = props().get(i);
        return p.name().length() + 3 - written + p.schema().minLength() + schema.closeFrom(i + 1, false);
    }

    @Override
    Frame copy() {
        ObjectFrame f = new ObjectFrame(schema);
        f.phase = phase;
        f.next = next;
        f.chosen = chosen;
        f.spaced = spaced;
        f.key = new StringBuilder(key);
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectFrame f
                && f.schema == schema
                && f.phase == phase
                && f.next == next
                && f.chosen == chosen
                && f.spaced == spaced
                && f.key.compareTo(key) == 0;
    }

    @Override
    public int hashCode() {
        int h = ((System.identityHashCode(schema) * 31 + phase) * 31 + next) * 31 + chosen * 2 + (spaced ? 1 : 0);
        for (int i = 0; i < key.length(); i++) {
            h = h * 31 + key.charAt(i);
        }
        return h;
    }
}
