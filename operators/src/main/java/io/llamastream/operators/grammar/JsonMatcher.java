package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.SchemaNode.ArraySchema;
import io.llamastream.operators.grammar.SchemaNode.LiteralSchema;
import io.llamastream.operators.grammar.SchemaNode.NumberSchema;
import io.llamastream.operators.grammar.SchemaNode.ObjectSchema;
import io.llamastream.operators.grammar.SchemaNode.Property;
import io.llamastream.operators.grammar.SchemaNode.StringSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * An incremental recogniser for the JSON documents a {@link SchemaNode} allows, fed one byte at a
 * time: {@link #feed} says whether the byte can continue a valid document, {@link #isComplete}
 * whether the bytes so far are one, and {@link #minRemaining} how many more bytes at least are
 * needed to finish. It is a pushdown automaton (one frame per open value) so that checking a
 * candidate token is a cheap {@link #copy} plus a few feeds.
 *
 * <p>The accepted language is deliberately narrower than JSON: object keys appear in the schema's
 * order (optional ones may be skipped), whitespace is at most one space after {@code :} and
 * {@code ,} and nowhere else, numbers have at most 16 digits per part. A model cannot then stall
 * the document with endless whitespace, and every document is still valid, schema-conforming JSON.
 */
public final class JsonMatcher {
    private enum Step { ACCEPT, REJECT, DONE, DONE_RETRY, PUSH_RETRY }

    private static final int MAX_DIGITS = 16;

    private final List<Frame> stack;
    private Frame pushed;

    public JsonMatcher(SchemaNode root) {
        stack = new ArrayList<>();
        stack.add(frameFor(root));
    }

    private JsonMatcher(List<Frame> frames) {
        stack = frames;
    }

    public JsonMatcher copy() {
        List<Frame> frames = new ArrayList<>(stack.size());
        for (Frame f : stack) {
            frames.add(f.copy());
        }
        return new JsonMatcher(frames);
    }

    /** Feeds one byte (0-255); false (and the matcher is then unusable) if no valid document continues so. */
    public boolean feed(int b) {
        while (!stack.isEmpty()) {
            Frame top = stack.get(stack.size() - 1);
            switch (top.feed(b, this)) {
                case ACCEPT:
                    return true;
                case REJECT:
                    return false;
                case DONE:
                    pop();
                    return true;
                case DONE_RETRY:
                    pop();
                    break;
                case PUSH_RETRY:
                    stack.add(pushed);
                    pushed = null;
                    break;
                default:
                    throw new IllegalStateException();
            }
        }
        return false;
    }

    public boolean feedAll(byte[] bytes) {
        for (byte b : bytes) {
            if (!feed(b & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** True when the bytes so far form a whole document (a root number may still grow). */
    public boolean isComplete() {
        return stack.isEmpty() || (stack.size() == 1 && stack.get(0).canEndHere());
    }

    /** The fewest bytes that finish the document from here (0 when complete). */
    public int minRemaining() {
        int n = 0;
        for (Frame f : stack) {
            n += f.minRemaining();
        }
        return n;
    }

    /**
     * A snapshot of where the matcher stands, equal for two matchers exactly when every byte string
     * is accepted by both and leaves them at equal {@link #minRemaining}: the key under which a
     * {@link Grammar} caches the allowed tokens of a state.
     */
    Object state() {
        return copy().stack;
    }

    /** The string automaton's state when the innermost open value is a string's body, else -1. */
    int stringBodyState() {
        if (stack.isEmpty() || !(stack.get(stack.size() - 1) instanceof StringFrame f)) {
            return -1;
        }
        return f.state == StringFrame.OPEN ? -1 : f.state;
    }

    private void pop() {
        stack.remove(stack.size() - 1);
        if (!stack.isEmpty()) {
            stack.get(stack.size() - 1).childDone();
        }
    }

    private Step push(SchemaNode node) {
        pushed = frameFor(node);
        return Step.PUSH_RETRY;
    }

    private static Frame frameFor(SchemaNode node) {
        if (node instanceof ObjectSchema o) {
            return new ObjectFrame(o);
        } else if (node instanceof ArraySchema a) {
            return new ArrayFrame(a);
        } else if (node instanceof StringSchema) {
            return new StringFrame();
        } else if (node instanceof NumberSchema n) {
            return new NumberFrame(n.integer());
        } else if (node instanceof LiteralSchema l) {
            return new LiteralFrame(l);
        }
        throw new IllegalArgumentException("unknown schema node " + node);
    }

    /**
     * One open value. {@link #minRemaining} counts only this frame's own bytes, not an open child's.
     * Equal frames (same schema node by identity, same progress) accept the same continuations,
     * which is what lets {@link #state()} serve as a cache key.
     */
    private abstract static class Frame {
        abstract Step feed(int b, JsonMatcher m);

        abstract int minRemaining();

        abstract Frame copy();

        void childDone() {
        }

        boolean canEndHere() {
            return false;
        }
    }

    private static final class ObjectFrame extends Frame {
        private static final int OPEN = 0, AFTER_OPEN = 1, KEY = 2, COLON = 3, AFTER_COLON = 4, VALUE = 5,
                AFTER_VALUE = 6, AFTER_COMMA = 7;
        final ObjectSchema schema;
        int phase = OPEN;
        int next;          // properties before this index are written or skipped
        int chosen = -1;   // the property whose key was just written
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
            return o instanceof ObjectFrame f && f.schema == schema && f.phase == phase && f.next == next
                    && f.chosen == chosen && f.spaced == spaced && f.key.compareTo(key) == 0;
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

    private static final class ArrayFrame extends Frame {
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

    /**
     * A string value as a small automaton over one int: 0-3 inside the body with that many UTF-8
     * continuation bytes owed, {@link #ESCAPE} after a backslash, {@link #OPEN} before the quote.
     * The transition is a static function so that {@link VocabularyIndex} can run the same automaton
     * over whole tokens without a matcher.
     */
    static final class StringFrame extends Frame {
        static final int ESCAPE = 4, OPEN = 5, REJECTED = -1, CLOSED = -2;
        int state = OPEN;

        /** The state after byte b, or {@link #REJECTED}, or {@link #CLOSED} for the closing quote. */
        static int step(int state, int b) {
            if (state == OPEN) {
                return b == '"' ? 0 : REJECTED;
            }
            if (state == ESCAPE) {
                // \\u escapes are left out: a lone surrogate escape would not decode.
                return "\"\\/bfnrt".indexOf(b) >= 0 ? 0 : REJECTED;
            }
            if (state > 0) {
                return (b & 0xC0) == 0x80 ? state - 1 : REJECTED;
            }
            if (b == '"') {
                return CLOSED;
            }
            if (b == '\\') {
                return ESCAPE;
            }
            if (b < 0x20 || b == 0x7F) {
                return REJECTED;
            }
            if (b < 0x80) {
                return 0;
            }
            if (b >= 0xC2 && b <= 0xDF) {
                return 1;
            } else if (b >= 0xE1 && b <= 0xEC) {
                return 2;  // E0 and ED have narrower second-byte ranges: leave them out
            } else if (b >= 0xF1 && b <= 0xF3) {
                return 3;  // likewise F0 and F4
            }
            return REJECTED;
        }

        /** The fewest bytes that close a string in this state. */
        static int minRemaining(int state) {
            return state >= ESCAPE ? 2 : state + 1;
        }

        @Override
        Step feed(int b, JsonMatcher m) {
            int next = step(state, b);
            if (next == REJECTED) {
                return Step.REJECT;
            }
            if (next == CLOSED) {
                return Step.DONE;
            }
            state = next;
            return Step.ACCEPT;
        }

        @Override
        int minRemaining() {
            return minRemaining(state);
        }

        @Override
        Frame copy() {
            StringFrame f = new StringFrame();
            f.state = state;
            return f;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StringFrame f && f.state == state;
        }

        @Override
        public int hashCode() {
            return 17 + state;
        }
    }

    private static final class NumberFrame extends Frame {
        private static final int START = 0, SIGN = 1, ZERO = 2, INT = 3, FRAC0 = 4, FRAC = 5, EXP0 = 6,
                EXP_SIGN = 7, EXP = 8;
        final boolean integer;
        int phase = START;
        int digits;

        NumberFrame(boolean integer) {
            this.integer = integer;
        }

        @Override
        Step feed(int b, JsonMatcher m) {
            boolean digit = b >= '0' && b <= '9';
            switch (phase) {
                case START:
                case SIGN:
                    if (b == '-' && phase == START) {
                        phase = SIGN;
                        return Step.ACCEPT;
                    }
                    if (b == '0') {
                        phase = ZERO;
                        return Step.ACCEPT;
                    }
                    if (digit) {
                        phase = INT;
                        digits = 1;
                        return Step.ACCEPT;
                    }
                    return Step.REJECT;
                case ZERO:
                case INT:
                    if (digit && phase == INT && digits < MAX_DIGITS) {
                        digits++;
                        return Step.ACCEPT;
                    }
                    if (!integer && b == '.') {
                        phase = FRAC0;
                        digits = 0;
                        return Step.ACCEPT;
                    }
                    if (!integer && (b == 'e' || b == 'E')) {
                        phase = EXP0;
                        digits = 0;
                        return Step.ACCEPT;
                    }
                    return digit ? Step.REJECT : Step.DONE_RETRY;
                case FRAC0:
                case FRAC:
                    if (digit && digits < MAX_DIGITS) {
                        phase = FRAC;
                        digits++;
                        return Step.ACCEPT;
                    }
                    if (phase == FRAC && (b == 'e' || b == 'E')) {
                        phase = EXP0;
                        digits = 0;
                        return Step.ACCEPT;
                    }
                    return phase == FRAC && !digit ? Step.DONE_RETRY : Step.REJECT;
                case EXP0:
                case EXP_SIGN:
                    if (phase == EXP0 && (b == '+' || b == '-')) {
                        phase = EXP_SIGN;
                        return Step.ACCEPT;
                    }
                    if (digit) {
                        phase = EXP;
                        digits = 1;
                        return Step.ACCEPT;
                    }
                    return Step.REJECT;
                case EXP:
                    if (digit && digits < 3) {
                        digits++;
                        return Step.ACCEPT;
                    }
                    return digit ? Step.REJECT : Step.DONE_RETRY;
                default:
                    return Step.REJECT;
            }
        }

        @Override
        boolean canEndHere() {
            return phase == ZERO || phase == INT || phase == FRAC || phase == EXP;
        }

        @Override
        int minRemaining() {
            return canEndHere() ? 0 : 1;
        }

        @Override
        Frame copy() {
            NumberFrame f = new NumberFrame(integer);
            f.phase = phase;
            f.digits = digits;
            return f;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NumberFrame f && f.integer == integer && f.phase == phase && f.digits == digits;
        }

        @Override
        public int hashCode() {
            return (phase * 31 + digits) * 2 + (integer ? 1 : 0);
        }
    }

    private static final class LiteralFrame extends Frame {
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
}
