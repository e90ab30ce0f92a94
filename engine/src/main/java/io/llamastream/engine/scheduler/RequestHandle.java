package io.llamastream.engine.scheduler;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted request: its eventual result, and cancellation. A cancelled request finishes at
 * the next step with the tokens produced so far and {@code StopReason.CANCELLED}.
 */
public final class RequestHandle {
    private final CompletableFuture<InferenceResult> result = new CompletableFuture<>();
    private volatile boolean cancelled;

    public CompletableFuture<InferenceResult> result() {
        return result;
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
