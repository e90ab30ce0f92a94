package io.llamastream.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM started by this process, with its output in a log file. Every child is registered
 * with a single shutdown hook, so a normal exit, an uncaught failure or Ctrl-C (SIGINT/SIGTERM)
 * of the parent stops every child it started; {@link #kill()} is the {@code kill -9} of a crash test.
 */
public final class JavaProcess implements AutoCloseable {

    private static final Set<JavaProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(JavaProcess::stopAll, "llamastream-child-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>}, stdout and stderr appended to
     * {@code log}, with {@code env} added to this process's environment.
     */
    public static JavaProcess start(
            String name,
            List<String> jvmArgs,
            String classPath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            JavaProcess p = new JavaProcess(name, pb.start(), log);
            LIVE.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + mainClass + ")", e);
        }
    }

    /** The {@code java} of the JDK running this process. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit by itself and returns its exit code; kills it after {@code timeout}. */
    public int waitFor(Duration timeout) {
        if (!await(timeout)) {
            kill();
            throw new IllegalStateException(
                    name + " did not finish within " + timeout.toSeconds() + " s:\n" + logTail(4000));
        }
        LIVE.remove(this);
        return process.exitValue();
    }

    /** SIGKILL, no clean-up in the child; returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        await(Duration.ofSeconds(30));
        LIVE.remove(this);
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            if (!await(grace)) {
                process.destroyForcibly();
                await(Duration.ofSeconds(30));
            }
        }
        LIVE.remove(this);
    }

    /** The process's log so far, for error messages. */
    public String logTail(int maxChars) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() <= maxChars ? s : s.substring(s.length() - maxChars);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Whether the log contains {@code text} (a readiness line, say). */
    public boolean logContains(String text) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean await(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }

    /** Stops every child still running, all at once: SIGTERM to each, then SIGKILL to stragglers. */
    static void stopAll() {
        List<JavaProcess> all = new ArrayList<>(LIVE);
        all.forEach(p -> p.process.destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (JavaProcess p : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !p.await(Duration.ofNanos(left))) {
                p.process.destroyForcibly();
            }
        }
        LIVE.removeAll(all);
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
