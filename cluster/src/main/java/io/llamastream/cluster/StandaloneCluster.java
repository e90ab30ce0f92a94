package io.llamastream.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Flink session cluster of separate JVMs on loopback: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), run
 * from {@link FlinkDistribution}'s {@code lib/} with a {@code config.yaml} written into the work
 * directory. The defaults mirror what the Helm chart renders (JVM options with the Vector API module,
 * explicit memory components, hashmap state with retained checkpoints, exponential-delay restarts,
 * the Prometheus reporter as a plugin), scaled down for one machine. TaskManagers can be killed
 * ({@code kill -9}) and added while the cluster runs. {@link #close()} stops every process.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final String JM_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TM_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final FlinkDistribution dist;
    private final String classPath;
    private final Path workDir;
    private final Path confDir;
    private final int restPort;
    private final Duration startTimeout;
    private final FlinkRest rest;
    private final List<TaskManagerProcess> taskManagers = new ArrayList<>();
    private FlinkDistribution.ResourceParams tmParams;
    private JavaProcess jobManager;
    private int nextTaskManager = 1;

    private StandaloneCluster(Builder b) {
        this.dist = b.dist != null ? b.dist : FlinkDistribution.fromCheckout();
        StringBuilder cp = new StringBuilder(dist.classPath());
        for (Path jar : b.libJars) {
            cp.append(File.pathSeparator).append(jar.toAbsolutePath());
        }
        this.classPath = cp.toString();
        this.workDir = b.workDir.toAbsolutePath();
        this.confDir = workDir.resolve("conf");
        this.restPort = LoopbackPorts.free();
        this.startTimeout = b.startTimeout;
        this.rest = new FlinkRest("http://127.0.0.1:" + restPort);
        Map<String, String> conf = defaults(workDir, restPort, LoopbackPorts.free(), b.slots);
        conf.putAll(b.config);
        FlinkConfigFile.write(confDir, conf);
        writeLogConfig();
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** Options for a cluster; every {@link #config} entry overrides a default. */
    public static final class Builder {
        private final Path workDir;
        private final Map<String, String> config = new LinkedHashMap<>();
        private final List<Path> libJars = new ArrayList<>();
        private FlinkDistribution dist;
        private int taskManagers = 1;
        private int slots = 1;
        private Duration startTimeout = Duration.ofMinutes(3);

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        public Builder distribution(FlinkDistribution d) {
            this.dist = d;
            return this;
        }

        /**
         * Adds a jar to every process's own class path, after Flink's distribution: what the image puts in
         * {@code /opt/flink/lib} besides Flink (the engine jar).
         */
        public Builder libJar(Path jar) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no such jar: " + jar);
            }
            libJars.add(jar);
            return this;
        }

        public Builder taskManagers(int n) {
            this.taskManagers = n;
            return this;
        }

        public Builder slotsPerTaskManager(int n) {
            this.slots = n;
            return this;
        }

        public Builder config(String key, String value) {
            config.put(key, value);
            return this;
        }

        public Builder config(Map<String, String> entries) {
            config.putAll(entries);
            return this;
        }

        /** How long to wait for the JobManager's REST API and for each TaskManager to register. */
        public Builder startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        /** Starts the JobManager and the TaskManagers; returns once all TaskManagers have registered. */
        public StandaloneCluster start() {
            StandaloneCluster c = new StandaloneCluster(this);
            try {
                c.startJobManager();
                for (int i = 0; i < taskManagers; i++) {
                    c.startTaskManager();
                }
                c.awaitTaskManagers(taskManagers);
                return c;
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    /** The configuration before the builder's overrides: the chart's choices at demo scale. */
    static Map<String, String> defaults(Path workDir, int restPort, int rpcPort, int slots) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("env.java.opts.all", String.join(" ", FlinkDistribution.JVM_OPTIONS));
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        c.put("parallelism.default", "1");
        // A System.exit in a job's main() must not take the session cluster's JobManager down with it.
        c.put("cluster.intercept-user-system-exit", "THROW");
        c.put("jobmanager.memory.process.size", "768m");
        // The chart's explicit split, small: the engine keeps weights and KV cache on the task heap. The demo model
        // is tiny, but the engine's memory plan checks the free heap against weights + its default 1 GiB KV
        // budget + 0.4 GiB overhead before loading.
        c.put("taskmanager.memory.framework.heap.size", "128m");
        c.put("taskmanager.memory.task.heap.size", "1536m");
        c.put("taskmanager.memory.task.off-heap.size", "0m");
        c.put("taskmanager.memory.framework.off-heap.size", "128m");
        c.put("taskmanager.memory.managed.size", "0m");
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.jvm-metaspace.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.min", "192m");
        c.put("taskmanager.memory.jvm-overhead.max", "192m");
        c.put("state.backend.type", "hashmap");
        c.put(
                "execution.checkpointing.dir",
                workDir.resolve("checkpoints").toUri().toString());
        c.put(
                "execution.checkpointing.savepoint-dir",
                workDir.resolve("savepoints").toUri().toString());
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("restart-strategy.type", "exponential-delay");
        c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        c.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.put("metrics.reporter.prom.port", "9250-9350");
        c.put("io.tmp.dirs", workDir.resolve("tmp").toString());
        c.put("web.tmpdir", workDir.resolve("web").toString());
        return c;
    }

    private void writeLogConfig() {
        String log4j = """
                # Console only: each process's stdout is its log file (log.file points at it for the web UI).
                rootLogger.level = INFO
                rootLogger.appenderRef.console.ref = ConsoleAppender
                appender.console.name = ConsoleAppender
                appender.console.type = CONSOLE
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n
                logger.kafka.name = org.apache.kafka
                logger.kafka.level = WARN
                """;
        try {
            Files.createDirectories(workDir.resolve("log"));
            Files.writeString(confDir.resolve("log4j.properties"), log4j, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> jvmArgs(List<String> memory, Path log) {
        List<String> args = new ArrayList<>(memory);
        args.addAll(FlinkDistribution.JVM_OPTIONS);
        args.add("-Dlog.file=" + log);
        args.add("-Dlog4j.configurationFile="
                + confDir.resolve("log4j.properties").toUri());
        return args;
    }

    private Map<String, String> env() {
        return Map.of(
                "FLINK_CONF_DIR",
                confDir.toString(),
                "FLINK_PLUGINS_DIR",
                dist.plugins().toAbsolutePath().toString(),
                "FLINK_LIB_DIR",
                dist.lib().toAbsolutePath().toString());
    }

    private void startJobManager() {
        FlinkDistribution.ResourceParams params =
                dist.resourceParams(confDir, false, workDir.resolve("log/jm-memory.log"));
        tmParams = dist.resourceParams(confDir, true, workDir.resolve("log/tm-memory.log"));
        Path log = workDir.resolve("log/jobmanager.log");
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString(), "--executionMode", "cluster"));
        args.addAll(params.dynamicProperties());
        jobManager =
                JavaProcess.start("jobmanager", jvmArgs(params.jvmArgs(), log), classPath, JM_MAIN, args, env(), log);
        await("the JobManager's REST API at " + rest.baseUrl(), jobManager, () -> rest.isUp());
    }

    /** Starts one more TaskManager (named {@code tm-1}, {@code tm-2}, ...); returns without waiting for it to register. */
    public synchronized TaskManagerProcess startTaskManager() {
        String id = "tm-" + nextTaskManager++;
        Path log = workDir.resolve("log/" + id + ".log");
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(tmParams.dynamicProperties());
        args.add("-D");
        args.add("taskmanager.resource-id=" + id);
        JavaProcess p = JavaProcess.start(id, jvmArgs(tmParams.jvmArgs(), log), classPath, TM_MAIN, args, env(), log);
        TaskManagerProcess tm = new TaskManagerProcess(id, p);
        taskManagers.add(tm);
        return tm;
    }

    /** Waits until {@code n} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int n) {
        await(n + " registered TaskManager(s)", jobManager, () -> rest.registeredTaskManagers() >= n);
    }

    /** Waits until this TaskManager has registered with the JobManager. */
    public void awaitRegistered(TaskManagerProcess tm) {
        await(
                tm.resourceId() + " registered",
                tm.process(),
                () -> rest.taskManagerIds().contains(tm.resourceId()));
    }

    /** {@code kill -9} of one TaskManager: no shutdown, the JobManager finds out by missed heartbeats. */
    public synchronized void kill(TaskManagerProcess tm) {
        tm.process().kill();
        taskManagers.remove(tm);
    }

    /** The TaskManagers started and not killed, oldest first. */
    public synchronized List<TaskManagerProcess> taskManagers() {
        return List.copyOf(taskManagers);
    }

    public JavaProcess jobManager() {
        return jobManager;
    }

    public FlinkRest rest() {
        return rest;
    }

    /** The web dashboard (flink-runtime-web) and REST API. */
    public String webUrl() {
        return rest.baseUrl();
    }

    public Path workDir() {
        return workDir;
    }

    private interface Check {
        boolean ok();
    }

    private void await(String what, JavaProcess process, Check check) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        process + " exited while waiting for " + what + ":\n" + process.logTail(6000));
            }
            try {
                if (check.ok()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + startTimeout.toSeconds() + " s waiting for " + what
                        + "; " + process.name() + " log:\n" + process.logTail(6000));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Stops the TaskManagers, then the JobManager (SIGTERM, then SIGKILL after a grace period). */
    @Override
    public synchronized void close() {
        for (TaskManagerProcess tm : taskManagers) {
            tm.process().stop(Duration.ofSeconds(10));
        }
        taskManagers.clear();
        if (jobManager != null) {
            jobManager.stop(Duration.ofSeconds(10));
        }
    }
}
