package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.SchemaNode.ArraySchema;
import io.llamastream.operators.grammar.SchemaNode.LiteralSchema;
import io.llamastream.operators.grammar.SchemaNode.NumberSchema;
import io.llamastream.operators.grammar.SchemaNode.ObjectSchema;
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
    enum Step {
        ACCEPT,
        REJECT,
        DONE,
        DONE_RETRY,
        PUSH_RETRY
    }

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

    void pop() {
        stack.remove(stack.size() - 1);
        if (!stack.isEmpty()) {
            stack.get(stack.size() - 1).childDone();
        }
    }

    Step push(SchemaNode node) {
        pushed = frameFor(node);
        return Step.PUSH_RETRY;
    }

    static Frame frameFor(SchemaNode node) {
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
}
