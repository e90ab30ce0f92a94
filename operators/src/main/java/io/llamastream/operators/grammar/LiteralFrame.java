package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.JsonMatcher.Step;
import io.llamastream.operators.grammar.SchemaNode.LiteralSchema;

/** One open value of a {@link JsonMatcher}: a literal (enum value, boolean or null). */
final class LiteralFrame extends Frame {
    final LiteralSchema schema;
    String written = "";

    LiteralFrame(LiteralSchema schema) {
        this.schema = schema;
    }

    @Override
    Step feed(int b, JsonMatcher m) {
        String extended = written + (char) b;
        boolean prefix = false;
        boolean longer = false;
        boolean exact = false;
        for (String lit : schema.literals()) {
            if (lit.startsWith(extended)) {
                prefix = true;
                exact |= lit.length() == extended.length();
                longer |= lit.length() > extended.length();
            }
        }
        if (prefix) {
            written = extended;
            return exact && !longer ? Step.DONE : Step.ACCEPT;
        }
        // e.g. enum [1, 12] after "1": a following ',' ends the literal and goes to the parent.
        return canEndHere() ? Step.DONE_RETRY : Step.REJECT;
    }

    @Override
    boolean canEndHere() {
        return schema.literals().contains(written);
    }

    @Override
    int minRemaining() {
        int best = Integer.MAX_VALUE;
        for (String lit : schema.literals()) {
            if (lit.startsWith(written)) {
                best = Math.min(best, lit.length() - written.length());
            }
        }
        return best;
    }

    @Override
    Frame copy() {
        LiteralFrame f = new LiteralFrame(schema);
        f.written = written;
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LiteralFrame f && f.schema == schema && f.written.equals(written);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(schema) * 31 + written.hashCode();
    }
}
