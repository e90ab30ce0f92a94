package io.llamastream.engine.checkpoint;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Fills a buffer from a file channel at a 64-bit position, looping over short reads: the one
 * way the checkpoint readers (safetensors and GGUF) read tensor bytes, at any offset of a file of
 * any size and safely from several threads (positional reads do not move a shared cursor).
 */
public final class PositionalRead {
    private PositionalRead() {}

    /** Reads until {@code dst} is full; the file ending first is an {@link EOFException}. */
    public static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new EOFException("unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }
}
