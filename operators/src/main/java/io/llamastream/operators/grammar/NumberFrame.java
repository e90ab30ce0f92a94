package io.llamastream.operators.grammar;

import io.llamastream.operators.grammar.JsonMatcher.Step;

/** One open value of a {@link JsonMatcher}: a JSON number. */
final class NumberFrame extends Frame {
    /** Digits allowed per part of a number, so a model cannot stall the document with endless digits. */
    private static final int MAX_DIGITS = 16;

    private static final int START = 0,
            SIGN = 1,
            ZERO = 2,
            INT = 3,
            FRAC0 = 4,
            FRAC = 5,
            EXP0 = 6,
            EXP_SIGN = 7,
            EXP = 8;
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
