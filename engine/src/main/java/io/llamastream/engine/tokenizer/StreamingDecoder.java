package io.llamastream.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of token ids into text as they are generated. A byte-level token may end in the
 * middle of a multi-byte UTF-8 character (emoji and CJK often span two or three tokens), so the
 * bytes of an unfinished character are held back until the token that completes it arrives;
 * {@link #push} therefore never returns half a character or a spurious U+FFFD. The concatenation of
 * all pushes and the final {@link #flush} equals {@link Tokenizer#decode} of the same ids. One
 * instance per stream; not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text that is now complete (possibly empty). */
    public String push(int id) {
        byte[] bytes = tokenizer.bytesOf(id);
        if (pendingLength + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        int complete = completePrefix(pending, pendingLength);
        return take(complete);
    }

    /** Returns everything still held back, with an unfinished character as U+FFFD, and resets. */
    public String flush() {
        return take(pendingLength);
    }

    /** True when bytes of an unfinished character are being held back. */
    public boolean hasPending() {
        return pendingLength > 0;
    }

    private String take(int count) {
        if (count == 0) {
            return "";
        }
        String text = new String(pending, 0, count, StandardCharsets.UTF_8);
        System.arraycopy(pending, count, pending, 0, pendingLength - count);
        pendingLength -= count;
        return text;
    }

    /**
     * How many leading bytes can be decoded now. Only a trailing lead byte followed by fewer
     * continuation bytes than it announces is held back. Cutting just before a lead byte is safe:
     * a lead byte never continues an earlier sequence, so decoding the two sides separately gives
     * the same text (including any U+FFFD for invalid bytes) as decoding them together.
     */
    static int completePrefix(byte[] bytes, int length) {
        for (int i = length - 1; i >= 0 && i >= length - 4; i--) {
            int b = bytes[i] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for its lead
            }
            int needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            return length - i < needed ? i : length;
        }
        return length;
    }
}
