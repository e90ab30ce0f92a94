package io.llamastream.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker as its own JVM: KRaft in combined mode (one node is broker and controller), PLAINTEXT
 * on a loopback port, run from the {@code kafka_2.13} distribution in {@code cluster/kafka-lib/target/lib}.
 * Storage is formatted once; {@link #restart()} stops the process (SIGTERM, a clean shutdown) and starts
 * it again on the same port and log directory, as an operator's rolling restart would.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final Path lib;
    private final Path workDir;
    private final int brokerPort;
    private final Duration startTimeout;
    private JavaProcess process;
    private int generation;

    private KafkaBrokerProcess(Path lib, Path workDir, Duration startTimeout) {
        this.lib = lib;
        this.workDir = workDir.toAbsolutePath();
        this.brokerPort = LoopbackPorts.free();
        this.startTimeout = startTimeout;
    }

    /** Formats storage under {@code workDir} and starts the broker from this checkout's {@code kafka-lib}. */
    public static KafkaBrokerProcess start(Path workDir) {
        Path lib = Checkout.built(
                Checkout.root()
                        .resolve("cluster")
                        .resolve("kafka-lib")
                        .resolve("target")
                        .resolve("lib"),
                "cluster/kafka-lib");
        return start(lib, workDir, Duration.ofMinutes(2));
    }

    public static KafkaBrokerProcess start(Path lib, Path workDir, Duration startTimeout) {
        KafkaBrokerProcess b = new KafkaBrokerProcess(lib, workDir, startTimeout);
        try {
            b.writeConfig(LoopbackPorts.free());
            b.format();
            b.launch();
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public JavaProcess process() {
        return process;
    }

    /** Stops the broker cleanly and starts it again; returns once it serves again. */
    public void restart() {
        stop();
        launch();
    }

    /** Stops the broker cleanly (SIGTERM: controlled shutdown), SIGKILL after 30 s. */
    public void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
        }
    }

    /** Starts the (stopped) broker again on the same port and data. */
    public void launch() {
        generation++;
        Path log = workDir.resolve("log").resolve("kafka-" + generation + ".log");
        process = JavaProcess.start(
                "kafka",
                jvmArgs(),
                classPath(),
                "kafka.Kafka",
                List.of(workDir.resolve("server.properties").toString()),
                Map.of(),
                log);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!(process.logContains("Kafka Server started") && LoopbackPorts.accepting(brokerPort))) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited while starting:\n" + process.logTail(6000));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not start within " + startTimeout.toSeconds()
                        + " s:\n" + process.logTail(6000));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the broker starts", e);
            }
        }
    }

    private String classPath() {
        return lib.toAbsolutePath() + "/*";
    }

    private List<String> jvmArgs() {
        return List.of(
                "-Xms128m",
                "-Xmx512m",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile="
                        + workDir.resolve("log4j2.properties").toUri());
    }

    private void writeConfig(int controllerPort) {
        String props = String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + workDir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "");
        String log4j = """
                rootLogger.level = INFO
                rootLogger.appenderRefs = stdout
                rootLogger.appenderRef.stdout.ref = STDOUT
                appender.stdout.name = STDOUT
                appender.stdout.type = Console
                appender.stdout.layout.type = PatternLayout
                appender.stdout.layout.pattern = [%d] %p %m (%c)%n
                logger.kafka.name = kafka
                logger.kafka.level = INFO
                logger.apache.name = org.apache.kafka
                logger.apache.level = WARN
                """;
        try {
            Files.createDirectories(workDir.resolve("log"));
            Files.writeString(workDir.resolve("server.properties"), props, StandardCharsets.UTF_8);
            Files.writeString(workDir.resolve("log4j2.properties"), log4j, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void format() {
        JavaProcess f = JavaProcess.start(
                "kafka-storage-format",
                jvmArgs(),
                classPath(),
                "kafka.tools.StorageTool",
                List.of(
                        "format",
                        "-t",
                        clusterId(),
                        "-c",
                        workDir.resolve("server.properties").toString()),
                Map.of(),
                workDir.resolve("log").resolve("kafka-format.log"));
        int exit = f.waitFor(startTimeout);
        if (exit != 0) {
            throw new IllegalStateException(
                    "formatting the broker's storage failed (exit " + exit + "):\n" + f.logTail(4000));
        }
    }

    /**
     * A random cluster id in Kafka's form: 16 bytes, URL-safe base64 without padding. Like Kafka's
     * own {@code Uuid.randomUuid()} it never starts with '-': the storage tool would read such an id
     * (1 in 64 of them) as an option and refuse to format.
     */
    static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            ByteBuffer b =
                    ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
