package io.llamastream.engine.checkpoint;

import java.nio.file.Path;

/**
 * A model file that cannot be used: missing, truncated, inconsistent or of an unsupported kind.
 * The message always names the file and the problem so an operator can act on it.
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
