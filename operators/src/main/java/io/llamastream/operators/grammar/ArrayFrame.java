package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.JsonMatcher.Step;
import io.llamastream.operators.grammar.SchemaNode.ArraySchema;

/** One open value of a {@link JsonMatcher}: a JSON array. */
final class ArrayFrame extends Frame {
    private static final int OPEN = 0, AFTER_OPEN = 1, VALUE = 2, AFTER_VALUE = 3, AFTER_COMMA = 4;
    final ArraySchema schema;
    int phase = OPEN;
    boolean spaced;

    ArrayFrame(ArraySchema schema) {
        this.schema = schema;
    }

    @Override
    Step feed(int b, JsonMatcher m) {
        switch (phase) {
            case OPEN:
                if (b == '[') {
                    phase = AFTER_OPEN;
                    return Step.ACCEPT;
                }
                return Step.REJECT;
            case AFTER_OPEN:
                if (b == ']') {
                    return Step.DONE;
                }
                phase = VALUE;
                return m.push(schema.items());
            case AFTER_VALUE:
                if (b == ',') {
                    phase = AFTER_COMMA;
                    spaced = false;
                    return Step.ACCEPT;
                }
                return b == ']' ? Step.DONE : Step.REJECT;
            case AFTER_COMMA:
                if (b == ' ' && !spaced) {
                    spaced = true;
                    return Step.ACCEPT;
                }
                phase = VALUE;
                return m.push(schema.items());
            default:
                return Step.REJECT;
        }
    }

    @Override
    void childDone() {
        phase = AFTER_VALUE;
    }

    @Override
    int minRemaining() {
        return switch (phase) {
            case OPEN -> 2;
            case AFTER_COMMA -> schema.items().minLength() + 1;
            default -> 1;
        };
    }

    @Override
    Frame copy() {
        ArrayFrame f = new ArrayFrame(schema);
        f.phase = phase;
        f.spaced = spaced;
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArrayFrame f && f.schema == schema && f.phase == phase && f.spaced == spaced;
    }

    @Override
    public int hashCode() {
        return (System.identityHashCode(schema) * 31 + phase) * 2 + (spaced ? 1 : 0);
    }
}
