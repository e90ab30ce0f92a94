package io.llamastream.tools;

import io.llamastream.tools.bench.BenchCommand;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code llamastream} command line: {@code generate}, {@code logits}, {@code tokenize} and
 * the commands later features add. Relaunches itself with the Vector API module when started
 * without it, so {@code java -jar} works without flags.
 */
@Command(
        name = "llamastream",
        mixinStandardHelpOptions = true,
        version = "llamastream 0.1.0",
        description = "Llama 4 inference engine of llamastream.",
        subcommands = {
            GenerateCommand.class,
            LogitsCommand.class,
            TokenizeCommand.class,
            PreprocessCommand.class,
            BenchCommand.class
        })
public final class Main {

    public static void main(String[] args) throws Exception {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.exit(relaunchWithVectorModule(args));
        }
        System.exit(run(args));
    }

    /** Runs the command line in this JVM and returns its exit code (used by tests too). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Users get the message (which names the file and the problem), not a stack trace.
                    cmd.getErr().println("llamastream " + cmd.getCommandName() + ": " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }

    private static int relaunchWithVectorModule(String[] args) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
