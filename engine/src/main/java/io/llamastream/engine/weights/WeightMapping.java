package io.llamastream.engine.weights;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model file mapped read-only into memory, so that weights stored in a layout the kernels can
 * read (GGUF Q8_0) are used where they lie instead of copied onto the heap: loading then costs
 * the mapping, not a copy, and the weights live in the page cache. It needs JDK 22 or later (the
 * foreign-memory API and the Vector API's loads from memory segments; JDK 17's loads from a
 * mapped {@code ByteBuffer} decoded 2.4x slower), so the implementation is compiled from
 * {@code src/main/java22} and found by reflection. On JDK 17, in a build made without a JDK 22,
 * or with {@code -Dllamastream.mapWeights=false}, {@link #open} is empty and the loader repacks.
 */
public interface WeightMapping {
    /** The system property that turns mapping off ({@code false}); on by default where available. */
    String PROPERTY = "llamastream.mapWeights";

    /** The Q8_0 matrix of {@code rows} rows of {@code cols / 32} blocks at byte {@code offset} of the file. */
    WeightMatrix q8_0(long offset, int rows, int cols);

    /** {@code file} mapped, or empty where weights cannot be mapped (see {@link #unavailableReason}). */
    static Optional<WeightMapping> open(Path file) {
        if (unavailableReason().isPresent()) {
            return Optional.empty();
        }
        try {
            return Optional.of((WeightMapping) Class.forName(WeightMapping.class.getPackageName() + ".MappedFile")
                    .getDeclaredConstructor(Path.class)
                    .newInstance(file));
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot map " + file + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot map " + file + ": " + e, e);
        }
    }

    /** Why weights are not mapped here, or empty when they are. */
    static Optional<String> unavailableReason() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return Optional.of("-D" + PROPERTY + "=false");
        }
        int feature = Runtime.version().feature();
        if (feature < 22) {
            return Optional.of("the runtime is JDK " + feature + "; mapped weights need JDK 22 or later");
        }
        if (WeightMapping.class.getResource("MappedFile.class") == null) {
            return Optional.of("this build has no JDK 22 classes (built without a JDK 22 or later)");
        }
        return Optional.empty();
    }
}
