package io.llamastream.cluster;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The llamastream source checkout this code runs from: where the distributions copied by
 * {@code cluster/flink-lib} and {@code cluster/kafka-lib} and the built job jars are. Found from the
 * {@code llamastream.root} system property, else by walking up from the working directory, else from
 * the location of this class's jar.
 */
public final class Checkout {

    private Checkout() {}

    public static Path root() {
        String explicit = System.getProperty("llamastream.root");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        Path found = above(Path.of("").toAbsolutePath());
        if (found == null) {
            try {
                found = above(Path.of(Checkout.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI()));
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                found = null;
            }
        }
        if (found == null) {
            throw new IllegalStateException("not inside a llamastream checkout (no cluster/flink-lib/pom.xml above "
                    + Path.of("").toAbsolutePath() + "); set -Dllamastream.root=DIR");
        }
        return found;
    }

    private static Path above(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("cluster").resolve("flink-lib").resolve("pom.xml"))) {
                return p;
            }
        }
        return null;
    }

    /** A directory the build makes, with the command that makes it in the error when it is missing. */
    static Path built(Path dir, String module) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " does not exist: build it first with `mvn -B -ntp -pl " + module
                    + " -am package -DskipTests`");
        }
        return dir;
    }
}
