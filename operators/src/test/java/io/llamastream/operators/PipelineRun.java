package io.llamastream.operators;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.ResultEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs {@link InferencePipeline} as one bounded job (parallelism 2, source at 1 so a partition's
 * order holds) over fixed raw records and collects what comes out of both outputs.
 */
record PipelineRun(List<ResultEvent> results, List<DeadLetterEvent> deadLetters) {

    /**
     * An environment (parallelism 2) that checkpoints every 100 ms and restarts a failed job up to
     * three times, for tests of recovery from an injected failure.
     */
    static StreamExecutionEnvironment restartingEnvironment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        return env;
    }

    static PipelineRun of(List<RawRequest> inputs, PipelineSettings settings, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawRequest> source = env.fromData(
                        TypeInformation.of(RawRequest.class), inputs.toArray(RawRequest[]::new))
                .setParallelism(1);
        PipelineOutputs out = InferencePipeline.build(source, settings);
        // One collected stream of tagged JSON keeps the two outputs in a single job.
        DataStream<String> all = out.results()
                .map(r -> "R" + new String(EventJson.write(r), StandardCharsets.UTF_8))
                .returns(Types.STRING)
                .union(out.deadLetters()
                        .map(d -> "D" + new String(EventJson.write(d), StandardCharsets.UTF_8))
                        .returns(Types.STRING));
        List<ResultEvent> results = new ArrayList<>();
        List<DeadLetterEvent> deadLetters = new ArrayList<>();
        try (CloseableIterator<String> it = all.executeAndCollect(name)) {
            while (it.hasNext()) {
                String s = it.next();
                byte[] body = s.substring(1).getBytes(StandardCharsets.UTF_8);
                if (s.charAt(0) == 'R') {
                    results.add(EventJson.readResult(body));
                } else {
                    deadLetters.add(EventJson.readDeadLetter(body));
                }
            }
        }
        return new PipelineRun(results, deadLetters);
    }
}
