package io.llamastream.engine.tokenizer;

import io.llamastream.engine.checkpoint.ModelFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a tiktoken ranks file ({@code base64-bytes rank} per line) into a {@link Tokenizer} whose
 * BPE merges by rank of the concatenated bytes, as tiktoken does. The rank of a token is its id.
 */
final class TiktokenLoader {
    private TiktokenLoader() {}

    static Tokenizer load(Path file, String pattern, Map<String, Integer> specialTokens) {
        List<byte[]> byRank = new ArrayList<>(1 << 18);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            int lineNo = 0;
            Base64.Decoder base64 = Base64.getDecoder();
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                int space = line.indexOf(' ');
                if (space <= 0) {
                    throw new ModelFormatException(file, "line " + lineNo + " is not 'base64 rank'");
                }
                byte[] bytes;
                int rank;
                try {
                    bytes = base64.decode(line.substring(0, space));
                    rank = Integer.parseInt(line.substring(space + 1).trim());
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException(file, "line " + lineNo + " is not 'base64 rank': " + e.getMessage());
                }
                if (rank < 0 || bytes.length == 0) {
                    throw new ModelFormatException(file, "line " + lineNo + " has an empty token or negative rank");
                }
                while (byRank.size() <= rank) {
                    byRank.add(null);
                }
                if (byRank.get(rank) != null) {
                    throw new ModelFormatException(file, "line " + lineNo + ": rank " + rank + " appears twice");
                }
                byRank.set(rank, bytes);
            }
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read ranks file: " + e, e);
        }
        byte[][] tokenBytes = byRank.toArray(new byte[0][]);
        ByteSequenceTable ranks;
        try {
            ranks = ByteSequenceTable.indexOf(tokenBytes);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
        // Rank-based merging assumes every piece can start as single bytes.
        byte[] one = new byte[1];
        for (int b = 0; b < 256; b++) {
            one[0] = (byte) b;
            if (ranks.get(one, 0, 1) < 0) {
                throw new ModelFormatException(
                        file, "no token for the single byte " + b + "; not a byte-level ranks file");
            }
        }
        for (Map.Entry<String, Integer> e : specialTokens.entrySet()) {
            int id = e.getValue();
            if (id < tokenBytes.length && tokenBytes[id] != null) {
                throw new IllegalArgumentException(
                        "special token " + e.getKey() + " id " + id + " collides with rank " + id + " of " + file);
            }
        }
        try {
            return new Tokenizer(
                    tokenBytes,
                    ranks,
                    new RankMergeRule(ranks),
                    true,
                    SplitPattern.compile(pattern),
                    new LinkedHashMap<>(specialTokens));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pre-tokenizer pattern does not compile in Java: " + e.getMessage(), e);
        }
    }
}
