package io.llamastream.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE tokenizer as used by Llama 4: added (special) tokens are cut out of the text
 * first, the rest is split into pieces by the pre-tokenizer regex, and each piece's UTF-8 bytes are
 * merged by BPE. Loads Hugging Face {@code tokenizer.json} files and tiktoken ranks files and
 * reproduces their ids exactly. Immutable and safe to share between threads; encoding nothing is
 * prepended or appended (no BOS), callers such as {@link ChatFormat} add control tokens themselves.
 */
public final class Tokenizer {
    /** Pieces longer than this are not cached: they are rare and would pin large strings. */
    private static final int MAX_CACHED_PIECE_CHARS = 64;

    private static final int CACHE_ENTRIES = 100_000;

    private final byte[][] tokenBytes;
    private final boolean[] added;
    private final Map<String, Integer> addedTokens;
    private final ByteSequenceTable vocab;
    private final BytePairEncoder bpe;
    private final Pattern split;
    private final AddedTokenMatcher addedMatcher;
    private final PieceCache cache = new PieceCache(CACHE_ENTRIES);

    /**
     * @param tokenBytes  bytes of every regular token by id (null for ids that are not regular tokens)
     * @param addedTokens text of every added token to its id; ids may overlap regular ids only if unused there
     */
    Tokenizer(
            byte[][] tokenBytes,
            ByteSequenceTable vocab,
            MergeRule rule,
            boolean wholePieceFirst,
            Pattern split,
            Map<String, Integer> addedTokens) {
        int size = tokenBytes.length;
        for (int id : addedTokens.values()) {
            size = Math.max(size, id + 1);
        }
        this.tokenBytes = Arrays.copyOf(tokenBytes, size);
        this.added = new boolean[size];
        for (Map.Entry<String, Integer> e : addedTokens.entrySet()) {
            this.tokenBytes[e.getValue()] = e.getKey().getBytes(StandardCharsets.UTF_8);
            this.added[e.getValue()] = true;
        }
        int[] byteIds = new int[256];
        byte[] one = new byte[1];
        for (int b = 0; b < 256; b++) {
            one[0] = (byte) b;
            byteIds[b] = vocab.get(one, 0, 1);
        }
        this.vocab = vocab;
        this.bpe = new BytePairEncoder(byteIds, vocab, rule, wholePieceFirst);
        this.split = split;
        this.addedTokens = Collections.unmodifiableMap(addedTokens);
        this.addedMatcher = new AddedTokenMatcher(addedTokens);
    }

    /**
     * Loads a Hugging Face {@code tokenizer.json} (BPE model, ByteLevel alphabet, Split + ByteLevel
     * pre-tokenizer). Throws {@link io.llamastream.engine.checkpoint.ModelFormatException} naming
     * the file and the problem if it is unreadable, malformed or uses unsupported features.
     */
    public static Tokenizer fromTokenizerJson(Path file) {
        return TokenizerJsonLoader.load(file);
    }

    /**
     * Loads a tiktoken ranks file ({@code base64-bytes rank} per line; rank is the token id), as
     * Meta ships Llama 4's {@code tokenizer.model}. {@code pattern} is the pre-tokenizer regex (for
     * Llama 4 {@link SplitPattern#O200K}); {@code specialTokens} maps special-token text to id.
     */
    public static Tokenizer fromTiktoken(Path ranksFile, String pattern, Map<String, Integer> specialTokens) {
        return TiktokenLoader.load(ranksFile, pattern, specialTokens);
    }

    /**
     * A byte-level BPE from its parts, as GGUF's {@code tokenizer.ggml.*} metadata lists them:
     * regular tokens (ByteLevel alphabet) with their ids, merges as {@code "left right"} by rank,
     * added tokens by text, and the pre-tokenizer regex. Problems go through {@code fail}, which
     * names the source.
     */
    public static Tokenizer fromByteLevelBpe(
            List<String> tokens,
            int[] ids,
            List<String> merges,
            Map<String, Integer> addedTokens,
            String splitPattern,
            Function<String, RuntimeException> fail) {
        List<String> left = new ArrayList<>(merges.size());
        List<String> right = new ArrayList<>(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int space = m.indexOf(' ');
            if (space <= 0 || space != m.lastIndexOf(' ') || space == m.length() - 1) {
                throw fail.apply("merge #" + rank + " '" + m + "' is not two tokens separated by one space");
            }
            left.add(m.substring(0, space));
            right.add(m.substring(space + 1));
        }
        return new ByteLevelVocabulary(fail)
                .tokenizer(
                        tokens,
                        ids,
                        left,
                        right,
                        false,
                        SplitPattern.compile(splitPattern),
                        new LinkedHashMap<>(addedTokens));
    }

    /** Encodes text; special/added tokens written in it (e.g. {@code <|eot|>}) become their ids. */
    public int[] encode(String text) {
        IdList out = new IdList(text.length() / 3 + 4);
        Encoding state = new Encoding(text);
        int pos = 0;
        while (pos < text.length()) {
            AddedTokenMatcher.Match m = addedMatcher.find(text, pos, text.length());
            if (m == null) {
                break;
            }
            encodeOrdinary(state, pos, m.start(), out);
            out.add(m.id());
            pos = m.end();
        }
        encodeOrdinary(state, pos, text.length(), out);
        return out.toArray();
    }

    /** The first added token written literally in {@code text} at or after {@code from}, or null. */
    AddedTokenMatcher.Match findAddedToken(String text, int from) {
        return addedMatcher.find(text, from, text.length());
    }

    /**
     * Encodes text as plain text: special-token text in it is tokenized like any other characters.
     * Use this for untrusted content so it cannot inject control tokens.
     */
    public int[] encodeOrdinary(String text) {
        IdList out = new IdList(text.length() / 3 + 4);
        encodeOrdinary(new Encoding(text), 0, text.length(), out);
        return out.toArray();
    }

    /** Per-call scratch: one matcher and byte buffer reused over all pieces of a text. */
    private final class Encoding {
        final String text;
        final Matcher matcher;
        byte[] buffer = new byte[256];

        Encoding(String text) {
            this.text = text;
            this.matcher = split.matcher(text);
        }
    }

    private void encodeOrdinary(Encoding state, int from, int to, IdList out) {
        if (from >= to) {
            return;
        }
        // Opaque region bounds: lookahead such as \s+(?!\S) must not see past an added token,
        // because the reference pre-tokenizes each stretch between added tokens on its own.
        Matcher m = state.matcher.region(from, to);
        String text = state.text;
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            if (end - start <= MAX_CACHED_PIECE_CHARS) {
                String piece = text.substring(start, end);
                int[] ids = cache.get(piece);
                if (ids == null) {
                    ids = encodePiece(state, start, end);
                    cache.put(piece, ids);
                }
                out.addAll(ids);
            } else {
                out.addAll(encodePiece(state, start, end));
            }
        }
    }

    private int[] encodePiece(Encoding state, int start, int end) {
        int maxBytes = (end - start) * 3;
        if (state.buffer.length < maxBytes) {
            state.buffer = new byte[maxBytes];
        }
        int len = utf8(state.text, start, end, state.buffer);
        return bpe.encode(state.buffer, len);
    }

    /** UTF-8 of text[start, end) into buf; a lone surrogate becomes U+FFFD as in a lossy encode. */
    private static int utf8(String text, int start, int end, byte[] buf) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                buf[n++] = (byte) c;
            } else if (c < 0x800) {
                buf[n++] = (byte) (0xC0 | (c >> 6));
                buf[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                buf[n++] = (byte) (0xF0 | (cp >> 18));
                buf[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) {
                    c = '\uFFFD';
                }
                buf[n++] = (byte) (0xE0 | (c >> 12));
                buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }

    /**
     * Decodes ids to text; added tokens appear as their text, and byte sequences that are not valid
     * UTF-8 (a token stream cut mid-character) become U+FFFD.
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(bytesOf(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A fresh decoder for one generated stream; not thread-safe, use one per stream. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this);
    }

    /** The raw bytes a token stands for (a copy). */
    public byte[] tokenBytes(int id) {
        return bytesOf(id).clone();
    }

    /** Shared, never modified by callers in this package. */
    byte[] bytesOf(int id) {
        if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
            throw new IllegalArgumentException(
                    "token id " + id + " is not in the vocabulary (size " + vocabSize() + ")");
        }
        return tokenBytes[id];
    }

    /**
     * The id of a token given as its vocabulary text: an added token's literal text (such as
     * {@code <|eot|>}) or a regular token in the ByteLevel alphabet (such as {@code Ġthe}).
     *
     * @throws IllegalArgumentException naming the token if the vocabulary does not have it
     */
    public int tokenId(String tokenText) {
        int id = findToken(tokenText);
        if (id < 0) {
            throw new IllegalArgumentException("token '" + tokenText + "' is not in the vocabulary");
        }
        return id;
    }

    public boolean hasToken(String tokenText) {
        return findToken(tokenText) >= 0;
    }

    private int findToken(String tokenText) {
        Integer addedId = addedTokens.get(tokenText);
        if (addedId != null) {
            return addedId;
        }
        byte[] bytes = ByteLevelAlphabet.toBytes(tokenText);
        return bytes == null ? -1 : vocab.get(bytes, 0, bytes.length);
    }

    /** The vocabulary text of a token, the inverse of {@link #tokenId(String)}. */
    public String tokenText(int id) {
        byte[] bytes = bytesOf(id);
        return added[id] ? new String(bytes, StandardCharsets.UTF_8) : ByteLevelAlphabet.toText(bytes);
    }

    /** True for added tokens (all of Llama 4's special tokens are added tokens). */
    public boolean isAddedToken(int id) {
        return id >= 0 && id < added.length && added[id];
    }

    /** One more than the highest id, regular or added. */
    public int vocabSize() {
        return tokenBytes.length;
    }
}
