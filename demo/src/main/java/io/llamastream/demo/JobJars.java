package io.llamastream.demo;

import io.llamastream.cluster.Checkout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The two jars of this checkout's {@code job/target} that the image ships: the engine jar, which goes on
 * every Flink process's class path ({@code /opt/flink/lib}), and the production job jar, which is
 * submitted ({@code /opt/flink/usrlib}, or uploaded through the REST API).
 */
record JobJars(Path engine, Path job) {

    static JobJars ofCheckout() {
        Path target = Checkout.root().resolve("job").resolve("target");
        return new JobJars(find(target, "engine"), find(target, "production"));
    }

    private static Path find(Path target, String classifier) {
        String pattern = "llamastream-job-.*-" + classifier + "\\.jar";
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().matches(pattern))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + classifier + " jar in " + target
                            + ": build it with `mvn -B -ntp -pl job -am package -DskipTests`"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
