package io.llamastream.engine.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@link WeightMapping} of JDK 22 and later: the whole file mapped read-only as one memory
 * segment (any size, so tensors over 2 GiB too), released by the garbage collector once no
 * matrix reads it any more. Compiled from {@code src/main/java22} and created by reflection, so a
 * JDK 17 runtime never loads it.
 */
final class MappedFile implements WeightMapping {
    private final Path path;
    private final MemorySegment file;

    MappedFile(Path path) throws IOException {
        this.path = path;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            this.file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        }
    }

    @Override
    public WeightMatrix q8_0(long offset, int rows, int cols) {
        RowKernelMatrix.checkBlocks(cols);
        long length = (long) rows * (cols / WeightFormat.BLOCK) * MappedQ8Matrix.BLOCK_BYTES;
        if (offset < 0 || offset > file.byteSize() - length) {
            throw new IndexOutOfBoundsException(path + ": Q8_0 matrix " + rows + "x" + cols + " at byte " + offset
                    + " runs past the end of the file (" + file.byteSize() + " bytes)");
        }
        MemorySegment slice = file.asSlice(offset, length);
        // Page the matrix in now, as llama.cpp's loader populates its mapping: a load that returns
        // before the pages are mapped would move its cost into the first requests.
        slice.load();
        return new MappedQ8Matrix(slice, rows, cols);
    }

    @Override
    public String toString() {
        return "mapped " + path;
    }
}
