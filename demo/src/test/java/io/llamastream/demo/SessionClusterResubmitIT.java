package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.cluster.Checkout;
import io.llamastream.cluster.FlinkRest;
import io.llamastream.cluster.KafkaBrokerProcess;
import io.llamastream.cluster.StandaloneCluster;
import io.llamastream.cluster.TaskManagerProcess;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobTopology;
import io.llamastream.job.LlamastreamJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session cluster laid out as the image is (the engine jar on the TaskManager's class path, the
 * production job jar submitted) that runs the job, cancels it and takes it again, five times. The
 * model is loaded once, by the first job, and every later job takes it from the TaskManager's
 * registry ({@code modelLoads} stays 1). The TaskManager gives back what each job took: after every
 * cancel it is made to collect garbage ({@code jcmd GC.run}) and its live threads, metaspace and
 * unloaded classes and heap in use are read from Flink's REST metrics, with a thread dump per cycle kept under
 * {@code target/session-cluster-resubmit/} for a diff. Threads and metaspace stay flat from the
 * second cycle on, no job's scheduler thread is left, the kept model's compute threads are the same
 * ones in every cycle, and each cancelled job's classes are unloaded, so no class loader is kept.
 */
class SessionClusterResubmitIT {
    static final int CYCLES = 5;
    static final int EVENTS = 6;
    /** Where the samples and the TaskManager's thread dumps are kept after the run, to diff. */
    static final Path REPORT = Path.of("target", "session-cluster-resubmit");

    @TempDir
    Path work;

    record Sample(double threads, double metaspace, double unloaded, double heap) {}

    @Test
    void submittingAndCancellingFiveTimesLeavesTheTaskManagerAsItWas() throws Exception {
        DemoSample sample = DemoSample.bundled();
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(work.resolve("kafka"));
                StandaloneCluster cluster = StandaloneCluster.builder(work.resolve("flink"))
                        .libJar(JobJars.ofCheckout().engine())
                        .taskManagers(1)
                        .config("metrics.fetcher.update-interval", "500")
                        // Flink's TaskManager I/O pool starts its threads one by one as jobs come and go, up to
                        // this size (default 4 x cores); at its smallest it is full after the first job, so the
                        // thread count shows what a job leaves behind rather than the pool filling up.
                        .config("cluster.io-pool.size", "2")
                        .config("restart-strategy.type", "none")
                        .start()) {
            FlinkRest rest = cluster.rest();
            String jar = rest.uploadJar(JobJars.ofCheckout().job());
            TaskManagerProcess tm = cluster.taskManagers().get(0);
            List<Sample> samples = new ArrayList<>();
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                JobConfig config = ClusterDemo.jobConfig(
                        Checkout.root().resolve("models").resolve("demo-tasks"), kafka.bootstrapServers(), 1, 1000);
                config.requestsTopic = "cycle" + cycle + ".requests";
                config.resultsTopic = "cycle" + cycle + ".results";
                config.deadLetterTopic = "cycle" + cycle + ".dead-letter";
                config.groupId = "cycle" + cycle;
                config.transactionalIdPrefix = "cycle" + cycle;
                config.validate();
                JobTopology.ensureTopics(config, config.kafkaSettings());
                String job = rest.runJar(jar, LlamastreamJob.class.getName(), ClusterDemo.jobArgs(config), 1);
                OutputTracker tracker = new OutputTracker();
                List<DemoSample.Event> events = sample.cycle(EVENTS);
                EventProducer.send(config.kafkaSettings(), config.requestsTopic, events, tracker, 0);
                try (OutputReader reader = new OutputReader(
                        config.kafkaSettings(), config.resultsTopic, config.deadLetterTopic, tracker, null)) {
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while (tracker.done() < EVENTS) {
                        reader.poll(Duration.ofMillis(200));
                        assertTrue(
                                System.nanoTime() < deadline,
                                "cycle " + cycle + ": " + tracker.done() + " of " + EVENTS + " outputs; job "
                                        + rest.jobState(job) + " " + rest.latestException(job));
                    }
                }
                assertEquals(
                        Map.of(tm.resourceId(), 1.0),
                        modelLoads(rest, job),
                        "cycle " + cycle + ": the model must be loaded once, by the first job, and kept");
                rest.cancel(job);
                awaitState(rest, job, "CANCELED");
                samples.add(settle(rest, tm, cycle));
            }
            StringBuilder table = new StringBuilder("cycle threads metaspaceMiB classesUnloaded heapUsedMiB\n");
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                table.append(String.format(
                        "%d %.0f %.1f %.0f %.0f%n",
                        i + 1, s.threads(), s.metaspace() / (1 << 20), s.unloaded(), s.heap() / (1 << 20)));
            }
            Files.writeString(REPORT.resolve("samples.txt"), table, StandardCharsets.UTF_8);
            System.out.print(table);
            Sample second = samples.get(1);
            Sample last = samples.get(CYCLES - 1);
            // Pekko's dispatchers grow and shrink by a thread or two; a thread left per job would add three.
            assertTrue(last.threads() <= second.threads() + 2, "live threads grew:\n" + table);
            String threads = Files.readString(REPORT.resolve("jstack-cycle" + CYCLES + ".txt"));
            assertFalse(
                    threads.contains("\"llamastream-scheduler"), "a job's scheduler thread outlived it:\n" + threads);
            List<String> computeThreads = threadNames(threads, "llamastream-compute-");
            assertFalse(computeThreads.isEmpty(), "the kept model has no compute threads:\n" + threads);
            assertEquals(
                    threadNames(Files.readString(REPORT.resolve("jstack-cycle2.txt")), "llamastream-compute-"),
                    computeThreads,
                    "the kept model's compute threads changed between jobs");
            assertTrue(last.metaspace() <= second.metaspace() + (8 << 20), "metaspace grew:\n" + table);
            // The kept model stays on the heap; what each job allocated around it must go with the job.
            assertTrue(last.heap() <= second.heap() + (64 << 20), "heap after GC grew:\n" + table);
            assertTrue(
                    last.unloaded() - second.unloaded() >= 1000 * (CYCLES - 2),
                    "the cancelled jobs' classes were not unloaded:\n" + table);
        }
    }

    /** The running job's {@code modelLoads} gauge per TaskManager, once the metric fetcher has it. */
    static Map<String, Double> modelLoads(FlinkRest rest, String job) throws InterruptedException {
        return modelLoads(rest, job, Set.of());
    }

    /**
     * The {@code modelLoads} gauge of the job's subtasks per TaskManager, once every one of
     * {@code taskManagers} reports it (a replacement's first report can trail the others' by the
     * metric fetcher's interval), or after 30 s with what there is.
     */
    static Map<String, Double> modelLoads(FlinkRest rest, String job, Set<String> taskManagers)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Double> loads = rest.subtaskMetricByTaskManager(job, "modelLoads");
        while ((loads.isEmpty() || !loads.keySet().containsAll(taskManagers)) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            loads = rest.subtaskMetricByTaskManager(job, "modelLoads");
        }
        return loads;
    }

    /** The sorted names of the threads in a {@code jstack} dump that start with {@code prefix}. */
    static List<String> threadNames(String dump, String prefix) {
        return dump.lines()
                .filter(l -> l.startsWith("\"" + prefix))
                .map(l -> l.substring(1, l.indexOf('"', 1)))
                .sorted()
                .toList();
    }

    /** GC twice, give the metric fetcher time to see it, then read the TaskManager's JVM metrics. */
    static Sample settle(FlinkRest rest, TaskManagerProcess tm, int cycle) throws Exception {
        Path dumps = Files.createDirectories(REPORT);
        for (int i = 0; i < 2; i++) {
            run("jcmd", Long.toString(tm.pid()), "GC.run");
            Thread.sleep(1500);
        }
        Files.writeString(dumps.resolve("jstack-cycle" + cycle + ".txt"), run("jstack", Long.toString(tm.pid())));
        return new Sample(
                fresh(rest, tm, "Status.JVM.Threads.Count"),
                fresh(rest, tm, "Status.JVM.Memory.Metaspace.Used"),
                fresh(rest, tm, "Status.JVM.ClassLoader.ClassesUnloaded"),
                fresh(rest, tm, "Status.JVM.Memory.Heap.Used"));
    }

    /**
     * A metric as the TaskManager reports it now: the REST API answers from the JobManager's cache and
     * only then asks the TaskManagers again (at most every {@code metrics.fetcher.update-interval}), so
     * the first answer may date from while the job still ran.
     */
    static double fresh(FlinkRest rest, TaskManagerProcess tm, String metric) throws InterruptedException {
        rest.taskManagerMetric(tm.resourceId(), metric);
        Thread.sleep(2000);
        return rest.taskManagerMetric(tm.resourceId(), metric);
    }

    static void awaitState(FlinkRest rest, String job, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!state.equals(rest.jobState(job))) {
            assertTrue(System.nanoTime() < deadline, "job " + job + " is " + rest.jobState(job) + ", not " + state);
            Thread.sleep(200);
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
