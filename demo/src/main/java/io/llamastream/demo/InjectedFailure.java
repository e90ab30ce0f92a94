package io.llamastream.demo;

import io.llamastream.job.JobPipeline;
import io.llamastream.operators.InferenceOperator;
import io.llamastream.operators.InferencePipeline;
import io.llamastream.operators.PipelineSettings;
import io.llamastream.operators.tasks.PreparedRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The demo's {@code --fail-after N} (and the recovery tests'): the inference operator, except that
 * once the inference subtasks of this JVM have seen more than N records between them, one of them
 * throws, so the job restarts from its last checkpoint. It fires once per JVM, so the restarted
 * job runs through. Not part of the library: the job itself never injects failures.
 */
public final class InjectedFailure extends InferenceOperator {
    private static final AtomicBoolean FIRED = new AtomicBoolean();
    /** Records seen by every inference subtask of this JVM. */
    private static final AtomicLong SEEN = new AtomicLong();

    private final long failAfterRecords;

    public InjectedFailure(PipelineSettings settings, long failAfterRecords) {
        super(settings);
        this.failAfterRecords = failAfterRecords;
    }

    /** The inference pipeline with this operator in it; arms the failure afresh for this JVM. */
    public static JobPipeline pipeline(long failAfterRecords) {
        FIRED.set(false);
        SEEN.set(0);
        return (requests, settings) ->
                InferencePipeline.build(requests, settings, new InjectedFailure(settings, failAfterRecords));
    }

    /** True once the failure has fired in this JVM. */
    public static boolean fired() {
        return FIRED.get();
    }

    @Override
    public void processElement(StreamRecord<PreparedRequest> element) throws Exception {
        if (SEEN.incrementAndGet() > failAfterRecords && FIRED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after " + failAfterRecords + " records");
        }
        super.processElement(element);
    }
}
