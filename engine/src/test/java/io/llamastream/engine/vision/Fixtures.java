package io.llamastream.engine.vision;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared, read-only fixtures (surefire passes their folder as a system property). */
final class Fixtures {
    private Fixtures() {
    }

    static Path llama4(String folder) {
        String root = System.getProperty("llamastream.fixtures");
        if (root == null) {
            throw new IllegalStateException("system property llamastream.fixtures is not set (run through Maven)");
        }
        Path p = Path.of(root, "llama4", folder);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fixture folder missing: " + p);
        }
        return p;
    }
}
