package io.llamastream.engine.checkpoint.gguf;

import io.llamastream.engine.checkpoint.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sequential little-endian reads of a GGUF header through a small buffer, checked against the
 * file's size before anything is allocated: a string or an array whose declared length cannot
 * fit in what is left of the file is refused as truncated or corrupt, so a hostile count never
 * becomes a huge allocation or a long loop.
 */
final class HeaderReader {
    private static final int BUFFER = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    /** File position of {@code buf}'s first byte. */
    private long bufStart;

    HeaderReader(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        buf.limit(0);
    }

    Path path() {
        return path;
    }

    long position() {
        return bufStart + buf.position();
    }

    long remaining() {
        return size - position();
    }

    private void need(int n, String what) {
        if (buf.remaining() >= n) {
            return;
        }
        if (remaining() < n) {
            throw fail("truncated: " + what + " needs " + n + " bytes at offset " + position() + " but the file has "
                    + size + " bytes");
        }
        long pos = position();
        buf.compact();
        bufStart = pos;
        try {
            while (buf.position() < n) {
                int r = channel.read(buf, bufStart + buf.position());
                if (r < 0) {
                    throw fail("truncated: end of file at offset " + (bufStart + buf.position()) + " reading " + what);
                }
            }
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read: " + e, e);
        }
        buf.flip();
    }

    int u8(String what) {
        need(1, what);
        return buf.get() & 0xFF;
    }

    int i32(String what) {
        need(4, what);
        return buf.getInt();
    }

    long i64(String what) {
        need(8, what);
        return buf.getLong();
    }

    short i16(String what) {
        need(2, what);
        return buf.getShort();
    }

    float f32(String what) {
        need(4, what);
        return buf.getFloat();
    }

    double f64(String what) {
        need(8, what);
        return buf.getDouble();
    }

    /**
     * A count (of array elements, tensors, keys) that each take at least {@code minBytes}: refused
     * when negative or when that many could not fit in the rest of the file.
     */
    long count(String what, int minBytes) {
        long n = i64(what);
        if (n < 0 || (minBytes > 0 && n > remaining() / minBytes)) {
            throw fail(what + " is " + Long.toUnsignedString(n) + ", more than the " + remaining()
                    + " bytes left in the file can hold: truncated or corrupt");
        }
        return n;
    }

    String string(String what) {
        long len = count("length of " + what, 1);
        if (len > Integer.MAX_VALUE - 16) {
            throw fail("length of " + what + " is " + len + " bytes");
        }
        byte[] b = new byte[(int) len];
        int done = 0;
        while (done < b.length) {
            need(1, what);
            int n = Math.min(buf.remaining(), b.length - done);
            buf.get(b, done, n);
            done += n;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail(what + " is not valid UTF-8");
        }
    }

    ModelFormatException fail(String problem) {
        return new ModelFormatException(path, problem);
    }
}
