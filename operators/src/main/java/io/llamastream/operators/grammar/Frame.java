package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.JsonMatcher.Step;

/**
 * One open value. {@link #minRemaining} counts only this frame's own bytes, not an open child's.
 * Equal frames (same schema node by identity, same progress) accept the same continuations,
 * which is what lets {@link JsonMatcher#state()} serve as a cache key.
 */
abstract class Frame {
    abstract Step feed(int b, JsonMatcher m);

    abstract int minRemaining();

    abstract Frame copy();

    void childDone() {}

    boolean canEndHere() {
        return false;
    }
}
