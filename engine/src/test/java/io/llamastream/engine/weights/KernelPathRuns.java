package io.llamastream.engine.weights;

/**
 * Reads a matrix's per-path multiply counts ({@link RowKernelMatrix#pathRuns}) for tests outside
 * this package: which kernel paths a warm-up or a forward pass took.
 */
public final class KernelPathRuns {
    /** Kernel paths: one token, few tokens, the decoded panel, packed. */
    public static final int PATHS = RowKernelMatrix.PATHS;

    private KernelPathRuns() {}

    /** Multiplies of {@code m} that took kernel path {@code path} since it was made. */
    public static long runs(WeightMatrix m, int path) {
        return ((RowKernelMatrix) m).pathRuns(path);
    }
}
