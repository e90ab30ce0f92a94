package io.llamastream.job;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared golden fixtures: {@code llamastream.fixtures} if a directory, else the nearest {@code shared/fixtures} above. */
final class Fixtures {
    private Fixtures() {
    }

    static Path root() {
        String prop = System.getProperty("llamastream.fixtures");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("fixtures");
            if (Files.isDirectory(candidate.resolve("llama4"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared fixtures not found: llamastream.fixtures=" + prop
                + " and no shared/fixtures above " + Path.of("").toAbsolutePath());
    }

    static Path model(String name) {
        return root().resolve("llama4").resolve(name);
    }
}
