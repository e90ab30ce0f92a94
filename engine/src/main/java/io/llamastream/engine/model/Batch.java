package io.llamastream.engine.model;

import io.llamastream.engine.kv.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One forward step over a ragged batch: several sequences, each contributing a run of
 * consecutive new tokens (a prefill chunk or a single decode token) that continues its own
 * {@link KvCache}. Rows of all segments are stacked so every weight is read once per step.
 */
public final class Batch {
    private final List<KvCache> caches = new ArrayList<>();
    private final List<int[]> tokenRuns = new ArrayList<>();
    private final List<float[]> embeddingRuns = new ArrayList<>();
    private final List<Integer> firstRows = new ArrayList<>();
    private final List<Integer> logitsFrom = new ArrayList<>();
    private int rows;
    private int[] positions = new int[16];

    /**
     * Adds a segment of token ids. {@code imageRows} (nullable) holds projected image rows,
     * {@code [m, H]}, that replace, in order, the embeddings of the segment's image tokens.
     */
    public Batch add(KvCache cache, int[] tokens, float[] imageRows) {
        return add(cache, tokens, imageRows, tokens.length - 1);
    }

    /**
     * As {@link #add(KvCache, int[], float[])}, asking for logits of the segment's rows from
     * {@code logitsFrom} to its end (used to score a forced continuation); {@code tokens.length}
     * asks for none (a prefill chunk that does not end the prompt).
     */
    public Batch add(KvCache cache, int[] tokens, float[] imageRows, int logitsFrom) {
        if (logitsFrom < 0 || logitsFrom > tokens.length) {
            throw new IllegalArgumentException("logitsFrom " + logitsFrom + " outside 0.." + tokens.length);
        }
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a segment needs at least one token");
        }
        for (KvCache c : caches) {
            if (c == cache) {
                throw new IllegalArgumentException("a sequence may appear only once per step");
            }
        }
        caches.add(cache);
        tokenRuns.add(tokens);
        embeddingRuns.add(imageRows);
        firstRows.add(rows);
        this.logitsFrom.add(logitsFrom);
        if (positions.length < rows + tokens.length) {
            positions = Arrays.copyOf(positions, Math.max(rows + tokens.length, positions.length * 2));
        }
        for (int i = 0; i < tokens.length; i++) {
            positions[rows + i] = cache.length() + i;
        }
        rows += tokens.length;
        return this;
    }

    public Batch add(KvCache cache, int[] tokens) {
        return add(cache, tokens, null);
    }

    public int tokens() {
        return rows;
    }

    public int segments() {
        return caches.size();
    }

    public KvCache cache(int segment) {
        return caches.get(segment);
    }

    public int[] tokenIds(int segment) {
        return tokenRuns.get(segment);
    }

    /** Projected image rows of a segment, {@code [m, H]}, or null. */
    float[] imageRows(int segment) {
        return embeddingRuns.get(segment);
    }

    public int firstRow(int segment) {
        return firstRows.get(segment);
    }

    public int rowCount(int segment) {
        return tokenRuns.get(segment).length;
    }

    public int lastRow(int segment) {
        return firstRow(segment) + rowCount(segment) - 1;
    }

    /** First row of the segment whose logits {@link TextModel#forward(Batch, boolean)} returns. */
    public int logitsFrom(int segment) {
        return logitsFrom.get(segment);
    }

    /** Number of logit rows a non-{@code allRows} forward returns: the sum over segments. */
    public int logitRows() {
        int n = 0;
        for (int s = 0; s < segments(); s++) {
            n += rowCount(s) - logitsFrom(s);
        }
        return n;
    }

    int startPosition(int segment) {
        return positions[firstRow(segment)];
    }

    int position(int row) {
        return positions[row];
    }
}
