package io.llamastream.demo;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time this JVM spent between {@link #start} and {@link #stop}, in total and per kind of
 * thread (the engine's, Flink's task threads, Kafka's, the rest). On a machine shared with other
 * work, wall-clock rates depend on the share of the cores the JVM got; CPU seconds per event do
 * much less, and the split says where the streaming job's CPU goes. The garbage collector's and
 * the JIT compiler's threads, and threads that end inside the window, are counted in the total only.
 */
final class CpuWindow {
    /** The in-JVM broker's threads (and Kafka consumers'): the demo's, not the job's. */
    static final String BROKER = "kafka broker and consumers";
    /** The demo's main thread: on the job's side it only reads the outputs back. */
    static final String DEMO_MAIN = "main thread (engine side: parse, tokenize; job side: output reader)";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Map<Long, Long> startByThread;
    private long startProcess;
    private double seconds;
    private final Map<String, Double> byKind = new LinkedHashMap<>();

    void start() {
        startProcess = processCpuNanos();
        startByThread = threadCpu();
    }

    void stop() {
        seconds = (processCpuNanos() - startProcess) / 1e9;
        Map<String, Double> kinds = new TreeMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        double attributed = 0;
        for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
            double s = (e.getValue() - startByThread.getOrDefault(e.getKey(), 0L)) / 1e9;
            kinds.merge(kind(names.getOrDefault(e.getKey(), "")), s, Double::sum);
            attributed += s;
        }
        // Not Java threads, so not listed: the garbage collector's and the JIT compiler's (and threads that ended).
        kinds.put("JVM: GC and JIT compiler threads, threads that ended", Math.max(0, seconds - attributed));
        kinds.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> byKind.put(e.getKey(), e.getValue()));
    }

    /** The JVM's CPU seconds in the window (all threads). */
    double seconds() {
        return seconds;
    }

    /** CPU seconds per kind of thread, largest first. */
    Map<String, Double> byKind() {
        return byKind;
    }

    /** What a thread does, from its name. */
    static String kind(String name) {
        if (name.startsWith("llamastream-scheduler") || name.startsWith("llamastream-compute")) {
            return "engine (scheduler and compute threads)";
        }
        if (name.matches(".*\\(\\d+/\\d+\\)(#\\d+)?$")) {
            // Flink names a task thread after its chain: "Source: requests -> parse-validate -> tokenize (1/2)#0".
            return "flink task: " + name.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?$", "");
        }
        if (name.startsWith("Source Data Fetcher")) {
            return "flink kafka source fetcher";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "kafka producers (sinks' transactions, demo's sender)";
        }
        if (name.toLowerCase(Locale.ROOT).contains("kafka")
                || name.contains("raft")
                || name.startsWith("data-plane")
                || name.startsWith("broker-")
                || name.startsWith("controller-")
                || name.contains("RequestSendThread")
                || name.startsWith("ExpirationReaper")) {
            return BROKER;
        }
        if (name.startsWith("main")) {
            return DEMO_MAIN;
        }
        return "flink runtime and other threads";
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) {
                out.put(id, t);
            }
        }
        return out;
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
