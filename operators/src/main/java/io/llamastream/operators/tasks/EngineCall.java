package io.llamastream.operators.tasks;

import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The engine work a {@link TaskHandler} planned for one request: the prompt it is built on and
 * one or more engine requests (one generation, or one scoring request per label). Submitting it
 * yields the results in the same order, for the handler's {@link TaskHandler#parse}.
 */
public record EngineCall(int[] prompt, List<InferenceRequest> requests) {

    public EngineCall {
        requests = List.copyOf(requests);
    }

    /** Submits every request, with the request's projected image rows (null without images). */
    public CompletableFuture<List<InferenceResult>> submit(Scheduler scheduler, float[] imageRows) {
        List<CompletableFuture<InferenceResult>> results = new ArrayList<>(requests.size());
        for (InferenceRequest r : requests) {
            results.add(scheduler.submit(r.withImageRows(imageRows)).result());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
    }
}
