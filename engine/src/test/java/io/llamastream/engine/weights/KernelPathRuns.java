package io.llamastream.engine.weights;

/**
 * Reads a matrix's per-path multiply counts ({@link RowKernelMatrix#pathRuns}) for tests outside
 * this package: which kernel paths a warm-up or a forward pass took.
 */
public final class KernelPathRuns {
    /** Kernel paths: one token, few tokens, the decoded panel, packed. */
    public static final int PATHS = RowKernelMatrix.PATHS;

    private KernelPathRuns() {}

    /** Multiplies of {@code m} that took kernel path {@code path} since it was made (a staged matrix's: both forms'). */
    public static long runs(WeightMatrix m, int path) {
        if (m instanceof StagedMatrix s) {
            long first = s.firstPathRuns(path);
            return s.finished() ? first + runs(s.serving(), path) : first;
        }
        return ((RowKernelMatrix) m).pathRuns(path);
    }
}
