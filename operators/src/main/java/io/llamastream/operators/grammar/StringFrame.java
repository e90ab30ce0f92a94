package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.JsonMatcher.Step;

/**
 * A string value as a small automaton over one int: 0-3 inside the body with that many UTF-8
 * continuation bytes owed, {@link #ESCAPE} after a backslash, {@link #OPEN} before the quote.
 * The transition is a static function so that {@link VocabularyIndex} can run the same automaton
 * over whole tokens without a matcher.
 */
final class StringFrame extends Frame {
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
            return 2; // E0 and ED have narrower second-byte ranges: leave them out
        } else if (b >= 0xF1 && b <= 0xF3) {
            return 3; // likewise F0 and F4
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
