package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Times llamastream and a peer engine on the same model in interleaved pairs: each pair runs one
 * test on both engines back to back, the order flipped every pair, and the figure is the ratio
 * within each pair. On a shared host whose memory and cores speed up and slow down over seconds
 * (this project's benchmark VM did, by up to 1.6x), runs minutes apart compare the host's phases as
 * much as the engines; the two runs of a pair share theirs.
 *
 * <p>The peer is a process that answers a line protocol on stdin and stdout: it prints {@code
 * ready} once loaded and warm, answers {@code pp N} and {@code tg N} with {@code pp RATE} and
 * {@code tg RATE} in tokens per second, and ends on {@code quit}. {@link #llamaCppCommand} runs
 * llama.cpp that way through node-llama-cpp ({@code peer-serve.mjs}).
 */
public final class PeerPairs implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final BufferedReader replies;
    private final Writer requests;

    private PeerPairs(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts the peer and waits until it says it is ready; its stderr goes to ours. */
    public static PeerPairs start(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start the peer " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        PeerPairs peer = new PeerPairs(command, process);
        String first = peer.reply();
        if (!"ready".equals(first)) {
            peer.close();
            throw new IllegalStateException(
                    "the peer " + String.join(" ", command) + " did not say ready; it said: " + first);
        }
        return peer;
    }

    /**
     * The command that serves llama.cpp from {@code peerDir} (a folder holding {@code
     * node_modules/node-llama-cpp}, as a folder where {@code npm install node-llama-cpp@3.22.1} ran does)
     * on {@code model} with {@code threads} threads, for prompts of up to {@code prompt} tokens and
     * decodes of up to {@code gen}; the script is copied out of this jar.
     */
    public static List<String> llamaCppCommand(Path peerDir, Path model, int threads, int prompt, int gen) {
        if (!Files.isRegularFile(model) || !model.getFileName().toString().endsWith(".gguf")) {
            throw new IllegalArgumentException(
                    "--peer needs a .gguf file as --model (llama.cpp reads GGUF), not " + model);
        }
        Path modules = peerDir.resolve("node_modules").resolve("node-llama-cpp");
        if (!Files.isDirectory(modules)) {
            throw new IllegalArgumentException("--peer " + peerDir
                    + " has no node_modules/node-llama-cpp: run `npm install node-llama-cpp@3.22.1` there first");
        }
        try (InputStream script = PeerPairs.class.getResourceAsStream("peer-serve.mjs")) {
            Path copy = Files.createTempFile("llamastream-peer-serve", ".mjs");
            copy.toFile().deleteOnExit();
            Files.copy(script, copy, StandardCopyOption.REPLACE_EXISTING);
            return List.of(
                    "node",
                    copy.toString(),
                    peerDir.toAbsolutePath().toString(),
                    model.toAbsolutePath().toString(),
                    Integer.toString(threads),
                    Integer.toString(prompt),
                    Integer.toString(gen));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Untimed pairs before each test's timed ones: the first pairs after the peer started ran slow
     * on both sides (ours 104-168 tok/s pp512 on Q4_K_M, against 180-206 in the pairs after).
     */
    static final int WARM_PAIRS = 2;

    /**
     * Times test {@code test} ({@code pp} or {@code tg}) of {@code n} tokens in {@code pairs}
     * pairs, after {@link #WARM_PAIRS} untimed ones; {@code ours} runs our side once and returns
     * its tokens per second. Even pairs run ours first, odd pairs the peer's.
     */
    public Series run(String test, int n, int pairs, DoubleSupplier ours) {
        for (int p = 0; p < WARM_PAIRS; p++) {
            ours.getAsDouble();
            peerRate(test, n);
        }
        double[] own = new double[pairs];
        double[] peer = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            if (p % 2 == 0) {
                own[p] = ours.getAsDouble();
                peer[p] = peerRate(test, n);
            } else {
                peer[p] = peerRate(test, n);
                own[p] = ours.getAsDouble();
            }
        }
        return new Series(test + n, own, peer);
    }

    private double peerRate(String test, int n) {
        try {
            requests.write(test + " " + n + "\n");
            requests.flush();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the peer " + String.join(" ", command) + " stopped reading: " + e.getMessage(), e);
        }
        String line = reply();
        String[] parts = line.trim().split("\\s+");
        double rate = Double.NaN;
        if (parts.length == 2 && parts[0].equals(test)) {
            try {
                rate = Double.parseDouble(parts[1]);
            } catch (NumberFormatException e) {
                // Reported below with the whole line.
            }
        }
        if (!(rate > 0)) {
            throw new IllegalStateException("the peer answered '" + line + "' to '" + test + " " + n + "'");
        }
        return rate;
    }

    /** The peer's next line, or a description of how it ended. */
    private String reply() {
        try {
            String line = replies.readLine();
            if (line != null) {
                return line;
            }
            process.waitFor();
            return "nothing: it exited with code " + process.exitValue();
        } catch (IOException e) {
            return "nothing: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "nothing: interrupted";
        }
    }

    /** Asks the peer to quit and waits for it; a peer that does not stop within 30 s is killed. */
    @Override
    public void close() {
        try {
            requests.write("quit\n");
            requests.flush();
        } catch (IOException e) {
            // Already gone.
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** One test's pairs: our rates and the peer's, pair by pair, in tokens per second. */
    public record Series(String test, double[] ours, double[] peer) {
        /** Ours over the peer's, pair by pair. */
        public double[] ratios() {
            double[] r = new double[ours.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = ours[i] / peer[i];
            }
            return r;
        }

        /** The geometric mean of the pairs' ratios: the figure the pairs give. */
        public double geomeanRatio() {
            double logs = 0;
            for (double r : ratios()) {
                logs += Math.log(r);
            }
            return Math.exp(logs / ours.length);
        }

        /** Pairs in which ours was at least as fast as the peer. */
        public int pairsAtLeastEven() {
            return (int) Arrays.stream(ratios()).filter(r -> r >= 1).count();
        }

        public ObjectNode toJson() {
            ObjectNode node = new ObjectMapper().createObjectNode();
            double[] r = ratios();
            node.put("pairs", r.length);
            node.put("ratio_geomean", geomeanRatio());
            node.put("ratio_median", BenchSpread.median(r));
            node.put("ratio_min", Arrays.stream(r).min().orElse(Double.NaN));
            node.put("ratio_max", Arrays.stream(r).max().orElse(Double.NaN));
            node.put("pairs_ours_at_least_even", pairsAtLeastEven());
            node.put("ours_median_tok_per_s", BenchSpread.median(ours));
            node.put("peer_median_tok_per_s", BenchSpread.median(peer));
            Arrays.stream(ours).forEach(node.putArray("ours_tok_per_s")::add);
            Arrays.stream(peer).forEach(node.putArray("peer_tok_per_s")::add);
            return node;
        }

        /** One line for the table. */
        public String summary() {
            double[] r = ratios();
            return String.format(
                    Locale.ROOT,
                    "%s in %d pairs: ours/peer %.3f (geometric mean; median %.3f, %.3f-%.3f), ours ahead or even in %d;"
                            + " medians %.2f / %.2f tok/s",
                    test,
                    r.length,
                    geomeanRatio(),
                    BenchSpread.median(r),
                    Arrays.stream(r).min().orElse(Double.NaN),
                    Arrays.stream(r).max().orElse(Double.NaN),
                    pairsAtLeastEven(),
                    BenchSpread.median(ours),
                    BenchSpread.median(peer));
        }
    }
}
