package io.llamastream.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Flink's distribution as the official image lays it out: {@code lib/} (the class path of every Flink
 * process) and {@code plugins/} (one folder per plugin, here the Prometheus reporter), resolved by
 * Maven from Maven Central into {@code cluster/flink-lib/target}. Also computes a process's JVM memory
 * flags the way Flink's own start scripts do, with {@code BashJavaUtils}.
 */
public record FlinkDistribution(Path lib, Path plugins) {

    /**
     * The JVM options Flink needs on Java 17+ (its distribution's list) plus the engine's: the Vector
     * API, and the two heap options the launcher and the chart also set (huge pages where the machine
     * allows them; 16-byte object alignment, so packed weight arrays start on 16 bytes).
     */
    public static final List<String> JVM_OPTIONS = List.of(
            "--add-modules",
            "jdk.incubator.vector",
            "-XX:+UseTransparentHugePages",
            "-XX:ObjectAlignmentInBytes=16",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED");

    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** The distribution copied by the build of this checkout. */
    public static FlinkDistribution fromCheckout() {
        Path target = Checkout.root().resolve("cluster").resolve("flink-lib").resolve("target");
        return new FlinkDistribution(
                Checkout.built(target.resolve("lib"), "cluster/flink-lib"), target.resolve("plugins"));
    }

    /** {@code lib/*}: the JVM expands the wildcard. */
    public String classPath() {
        return lib.toAbsolutePath() + "/*";
    }

    /** The memory flags of one process, as Flink's scripts compute them from {@code config.yaml}. */
    public record ResourceParams(List<String> jvmArgs, List<String> dynamicProperties) {}

    /**
     * Runs {@code BashJavaUtils GET_JM_RESOURCE_PARAMS} or {@code GET_TM_RESOURCE_PARAMS} on the
     * configuration in {@code confDir}: the heap, direct-memory and metaspace flags for the JVM and
     * the derived memory sizes to hand the process as {@code -D key=value}.
     */
    public ResourceParams resourceParams(Path confDir, boolean taskManager, Path log) {
        String command = taskManager ? "GET_TM_RESOURCE_PARAMS" : "GET_JM_RESOURCE_PARAMS";
        JavaProcess p = JavaProcess.start(
                "BashJavaUtils",
                List.of("-Xmx256m"),
                classPath(),
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                List.of(command, "--configDir", confDir.toString()),
                Map.of(),
                log);
        int exit = p.waitFor(Duration.ofMinutes(2));
        List<String> results = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log)) {
                int at = line.indexOf(RESULT_PREFIX);
                if (at >= 0) {
                    results.add(line.substring(at + RESULT_PREFIX.length()).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (exit != 0 || results.size() < 2) {
            throw new IllegalStateException(
                    "Flink's memory calculation failed for " + confDir + ":\n" + p.logTail(4000));
        }
        List<String> jvm = Arrays.stream(results.get(results.size() - 2).split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList();
        List<String> dynamic = Arrays.stream(results.get(results.size() - 1).split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList();
        return new ResourceParams(jvm, dynamic);
    }
}
