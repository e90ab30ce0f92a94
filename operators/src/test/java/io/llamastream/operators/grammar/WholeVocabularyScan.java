package io.llamastream.operators.grammar;

/**
 * The grammar mask as the processor computed it before {@link VocabularyIndex}: every token of the
 * vocabulary fed to a copy of the matcher. The reference the index is tested against, and the
 * baseline of the mask benchmark.
 */
final class WholeVocabularyScan {
    private WholeVocabularyScan() {}

    /** The fewest bytes that finish the document after each token, or -1 where the token is rejected. */
    static int[] minRemaining(JsonMatcher matcher, VocabularyIndex vocabulary, int endToken) {
        int[] minRemaining = new int[vocabulary.size()];
        for (int id = 0; id < minRemaining.length; id++) {
            byte[] bytes = vocabulary.bytes(id);
            minRemaining[id] = -1;
            if (id != endToken && bytes != null && bytes.length > 0) {
                JsonMatcher next = matcher.copy();
                if (next.feedAll(bytes)) {
                    minRemaining[id] = next.minRemaining();
                }
            }
        }
        return minRemaining;
    }

    /** The allowed tokens for a budget, the end token only when complete, and it alone if nothing else is. */
    static boolean[] allowed(int[] minRemaining, int endToken, boolean complete, int remainingAfter) {
        boolean[] allowed = new boolean[minRemaining.length];
        boolean any = false;
        for (int id = 0; id < allowed.length; id++) {
            allowed[id] = id == endToken ? complete : minRemaining[id] >= 0 && minRemaining[id] <= remainingAfter;
            any |= allowed[id];
        }
        if (!any) {
            allowed[endToken] = true;
        }
        return allowed;
    }
}
