package io.llamastream.demo;

import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.ModelPath;
import io.llamastream.job.JobConfig;
import io.llamastream.kafka.KafkaClientSettings;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./llamastream demo}: an in-JVM Kafka broker (KRaft, loopback), the job on a local Flink
 * MiniCluster (parallelism 2, checkpoints every second, fixed-delay restarts), the bundled sample
 * stream produced to the requests topic, live progress once a second, and a summary table.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Run llamastream end to end on this machine: embedded Kafka + local Flink + the demo model.")
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            paramLabel = "PATH",
            description = "Model folder or .gguf file (default: models/demo-tasks of this checkout).")
    Path model;

    @Option(
            names = "--events",
            paramLabel = "N",
            description = "Events to send: the bundled sample (70 events) cycled or cut to N (default: 70).")
    Integer events;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "JSONL of request events to send instead of the bundled sample.")
    Path input;

    @Option(
            names = "--dump",
            paramLabel = "DIR",
            description = "Write results.jsonl and dead-letter.jsonl, as read back with read_committed.")
    Path dump;

    @Option(
            names = "--fail-after",
            paramLabel = "N",
            description = "Inject one failure after N records; the job restarts from its last checkpoint.")
    long failAfter = -1;

    @Option(
            names = "--rate",
            paramLabel = "EV/S",
            description = "Produce at most this many events per second (default: all at once).")
    double rate = 0;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Serve the job's metrics for Prometheus at http://localhost:PORT/metrics while the demo runs.")
    Integer metricsPort;

    @Option(
            names = "--sql",
            description =
                    "Run the pipeline as Flink SQL (CREATE MODEL ... 'provider' = 'llamastream' and ML_PREDICT) and print its statements.")
    boolean sql;

    @Option(names = "--parallelism", description = "Flink parallelism (default: 2).")
    int parallelism = 2;

    @Option(
            names = "--checkpoint-interval-ms",
            description = "Checkpoint interval; results become visible at checkpoints (default: 1000).")
    long checkpointIntervalMs = 1000;

    @Option(names = "--timeout-s", description = "Give up after this many seconds (default: 900).")
    long timeoutS = 900;

    @Option(
            names = "--cluster",
            paramLabel = "N",
            description = "Run on a standalone Flink session cluster of separate JVMs on loopback (a JobManager and N "
                    + "TaskManagers, one slot each) with Kafka as its own process; the production jar is submitted "
                    + "through Flink's REST API. Parallelism is N.")
    Integer cluster;

    @Option(
            names = "--kill-taskmanager-after",
            paramLabel = "N",
            description = "With --cluster: kill -9 one TaskManager after N results, then start a replacement.")
    long killTaskManagerAfter = -1;

    @Option(
            names = "--restart-broker-after",
            paramLabel = "N",
            description = "With --cluster: stop the Kafka broker process after N results and start it again.")
    long restartBrokerAfter = -1;

    @Option(
            names = "--flink-conf",
            paramLabel = "KEY=VALUE",
            description = "Extra Flink configuration for the local MiniCluster and job (repeatable), e.g. "
                    + "execution.checkpointing.unaligned.enabled=true.")
    Map<String, String> flinkConfig = new LinkedHashMap<>();

    @Option(
            names = "--compare-engine",
            description = "First run the same events straight on the engine's scheduler (same model, weight format and "
                    + "scheduler settings, through the task handlers; no Flink, no Kafka), then through the job; print both "
                    + "rates, their ratio, CPU per event, and whether every event got the same answer. With the bundled "
                    + "sample, one pass of it warms each side up first and --events (default 300) are timed.")
    boolean compareEngine;

    private final PrintStream out = System.out;

    /** Accepts an optional leading {@code demo} (the launcher passes its subcommand through). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("demo")) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        System.exit(new CommandLine(new DemoCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path modelDir = model != null ? model : defaultModel();
        try {
            ModelPath.of(modelDir);
        } catch (ModelFormatException e) {
            System.err.println("demo: " + e.getMessage() + "; use --model with a model folder or a .gguf file");
            return 2;
        }
        List<DemoSample.Event> stream = input != null
                ? DemoSample.fromRequestsFile(input)
                : DemoSample.bundled()
                        .cycle(events != null ? events : DemoSample.bundled().size());
        if (stream.isEmpty()) {
            System.err.println("demo: no events to send");
            return 2;
        }
        if (sql && (failAfter >= 0 || cluster != null)) {
            System.err.println("demo: --sql runs on the local MiniCluster, without --fail-after or --cluster");
            return 2;
        }
        if (cluster != null) {
            if (cluster < 1 || failAfter >= 0 || metricsPort != null) {
                System.err.println("demo: --cluster takes N >= 1 and no --fail-after or --metrics-port "
                        + "(use --kill-taskmanager-after; each Flink process has the Prometheus reporter)");
                return 2;
            }
            parallelism = cluster;
            return new ClusterDemo(this, modelDir, stream).run();
        }
        if (killTaskManagerAfter >= 0 || restartBrokerAfter >= 0) {
            System.err.println("demo: --kill-taskmanager-after and --restart-broker-after need --cluster N");
            return 2;
        }
        if (compareEngine) {
            if (failAfter >= 0) {
                System.err.println("demo: --compare-engine takes no --fail-after");
                return 2;
            }
            // The bundled sample's first pass warms both sides up; a user's file is timed cold on the job's side.
            return (input != null
                            ? new EngineComparison(this, modelDir, List.of(), stream)
                            : EngineComparison.ofBundledSample(
                                    this, modelDir, DemoSample.bundled().size(), events != null ? events : 300))
                    .run();
        }
        return new LocalDemo(this, modelDir).run(List.of(), stream, new OutputTracker(), null);
    }

    /** The job's configuration for a demo run against {@code bootstrapServers}. */
    JobConfig jobConfig(Path modelDir, String bootstrapServers) {
        return jobConfig(modelDir, bootstrapServers, parallelism, checkpointIntervalMs);
    }

    /**
     * The job's configuration on a loopback broker: one partition per task, replication 1, and a
     * transaction timeout of ten checkpoints (at least a minute) so a restarted task's open
     * transaction is still there to abort.
     */
    static JobConfig jobConfig(Path modelDir, String bootstrapServers, int parallelism, long checkpointIntervalMs) {
        JobConfig config = new JobConfig();
        config.modelDir = modelDir.toAbsolutePath().normalize().toString();
        config.bootstrapServers = bootstrapServers;
        config.partitions = parallelism;
        config.replicationFactor = 1;
        config.parallelism = parallelism;
        config.checkpointIntervalMs = checkpointIntervalMs;
        config.transactionTimeoutMs = Math.max(60_000, 10 * checkpointIntervalMs);
        return config.validate();
    }

    /** What the stream loop asks of the job while it runs. */
    interface Watch {
        /** Called about once a second: a failure message if the job can no longer finish, else null. */
        String failure() throws Exception;

        /** Called after every poll with the outputs accounted for so far (fault injection hooks here). */
        default void polled(int done) {}

        /** Called once, as soon as every event is accounted for. */
        default void allAccountedFor() {}

        /** Extra summary lines (faults injected, recovery times), asked for while the job still runs. */
        default List<String> summary() {
            return List.of();
        }
    }

    /**
     * Produces the stream, reads the outputs back with read_committed until every event is accounted
     * for (or the job fails, or the timeout), prints progress and the summary; returns the exit code.
     */
    int stream(
            KafkaClientSettings settings,
            JobConfig config,
            List<DemoSample.Event> stream,
            long t0,
            Watch watch,
            Runnable stopJob)
            throws Exception {
        return stream(settings, config, stream, t0, new OutputTracker(), false, watch, stopJob);
    }

    /** As above, feeding {@code tracker}; {@code fromNow} ignores outputs committed before (a warm-up's). */
    int stream(
            KafkaClientSettings settings,
            JobConfig config,
            List<DemoSample.Event> stream,
            long t0,
            OutputTracker tracker,
            boolean fromNow,
            Watch watch,
            Runnable stopJob)
            throws Exception {
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            try {
                EventProducer.send(settings, config.requestsTopic, stream, tracker, rate);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        String failure = null;
        List<String> extra = List.of();
        try (OutputReader reader =
                new OutputReader(settings, config.resultsTopic, config.deadLetterTopic, tracker, dump, fromNow)) {
            boolean tty = System.console() != null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
            long nextReport = System.nanoTime() + 1_000_000_000L;
            while (true) {
                reader.poll(Duration.ofMillis(100));
                boolean allSent = producing.isDone();
                if (producing.isCompletedExceptionally()) {
                    failure =
                            "producing failed: " + producing.handle((v, e) -> e).get();
                    break;
                }
                if (allSent && tracker.done() >= stream.size()) {
                    watch.allAccountedFor();
                    break;
                }
                watch.polled(tracker.done());
                long now = System.nanoTime();
                if (now >= nextReport) {
                    nextReport += 1_000_000_000L;
                    String line = DemoReport.progress(tracker, stream.size(), now, t0);
                    if (tty) {
                        out.print("\r" + line + "   ");
                    } else {
                        out.println(line);
                    }
                    out.flush();
                    failure = watch.failure();
                    if (failure != null) {
                        break;
                    }
                }
                if (now > deadline) {
                    failure = "timed out after " + timeoutS + " s; still missing e.g. " + tracker.missing(5);
                    break;
                }
            }
            // One more checkpoint's worth of reading: a duplicate would show up here.
            long settle = System.nanoTime() + 2 * checkpointIntervalMs * 1_000_000L;
            while (failure == null && System.nanoTime() < settle) {
                reader.poll(Duration.ofMillis(100));
            }
            if (tty) {
                out.println();
            }
            out.println(DemoReport.progress(tracker, stream.size(), System.nanoTime(), t0));
            extra = watch.summary();
        } finally {
            stopJob.run();
        }
        List<String> notes = new ArrayList<>();
        if (failAfter >= 0) {
            notes.add(
                    InjectedFailure.fired()
                            ? "failure:       injected after " + failAfter
                                    + " records; the job restarted from its last checkpoint"
                            : "failure:       not injected (fewer than " + failAfter + " records reached inference)");
        }
        notes.addAll(extra);
        DemoReport.summary(out, tracker, stream.size(), config.checkpointIntervalMs, notes, dump);
        if (failure != null) {
            System.err.println("demo: " + failure);
            return 1;
        }
        return tracker.done() == stream.size() && tracker.duplicates() == 0 && tracker.unmatched() == 0 ? 0 : 1;
    }

    /** {@code models/demo-tasks} under the working directory, else beside the checkout the jar was built in. */
    private static Path defaultModel() {
        Path cwd = Path.of("models", "demo-tasks");
        if (Files.isDirectory(cwd)) {
            return cwd;
        }
        try {
            Path jar = Path.of(DemoCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // <root>/job/target/llamastream-job-...-demo.jar
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (root != null && root.getParent() != null) {
                Path candidate = root.getParent().resolve("models").resolve("demo-tasks");
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException ignored) {
            // fall through
        }
        return cwd;
    }
}
