package io.llamastream.tools;

import io.llamastream.engine.media.ImageDecoder;
import io.llamastream.engine.media.ImagePreprocessor;
import io.llamastream.engine.media.VideoFrameSampler;
import io.llamastream.engine.model.KernelWarmup;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.model.MediaPrompt;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.tokenizer.StreamingDecoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate}: wraps the prompt (after any images and video frames) as a user message in the
 * Llama 4 chat format and streams the reply to stdout as it is generated; statistics go to stderr.
 * Before the prompt, the model's kernels are warmed up as a served model's are ({@link KernelWarmup};
 * {@code -Dllamastream.kernelWarmup=false} skips it), so the statistics are of compiled code.
 */
@Command(name = "generate", description = "Generate a reply to a prompt (stdout: the reply only).")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--prompt", required = true, description = "The user message.")
    String prompt;

    @Option(names = "--system", description = "An optional system message.")
    String system;

    @Option(
            names = "--max-tokens",
            defaultValue = "256",
            description = "Reply length limit (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 keeps all.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass; 1 keeps all.")
    double topP;

    @Option(names = "--min-p", defaultValue = "0", description = "Drop tokens below min-p times the best probability.")
    double minP;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed for sampling.")
    long seed;

    @Option(
            names = "--image",
            paramLabel = "FILE",
            description = "An image (PNG, JPEG, GIF, BMP, WebP); repeatable, in order.")
    List<Path> images = List.of();

    @Option(names = "--video", paramLabel = "FILE", description = "An MP4 (H.264) video; frames sampled evenly.")
    Path video;

    @Option(
            names = "--video-frames",
            defaultValue = "8",
            description = "Frames sampled from --video (default ${DEFAULT-VALUE}).")
    int videoFrames;

    /** Chat-template tokens around the messages, at most. */
    private static final int TEMPLATE_POSITIONS = 256;

    /** One image at its largest tiling: every tile plus the global view, 144 tokens each for Llama 4, and separators. */
    private static final int IMAGE_POSITIONS = (ImagePreprocessor.DEFAULT_MAX_PATCHES + 1) * 145 + 16;

    /**
     * The positions the one sequence can reach, known before the model loads: a byte-level BPE
     * token covers at least one UTF-8 byte, so the messages' bytes bound their tokens; plus the
     * template, each image (or video frame) at its largest tiling, and the tokens to generate.
     */
    int positions() {
        long text = prompt.getBytes(StandardCharsets.UTF_8).length
                + (system == null ? 0 : system.getBytes(StandardCharsets.UTF_8).length);
        long media = (long) IMAGE_POSITIONS * (images.size() + (video == null ? 0 : videoFrames));
        return (int) Math.min(Integer.MAX_VALUE, text + TEMPLATE_POSITIONS + media + maxTokens);
    }

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Llama4Model m = model.load(model.pool(), positions());
        long loaded = System.nanoTime();
        KernelWarmup.Report warm = KernelWarmup.fromSystemProperties().run(m.textModel());
        long ready = System.nanoTime();
        MediaPrompt.Builder builder = new MediaPrompt.Builder(m);
        for (Path image : images) {
            builder.image(Files.readAllBytes(image));
        }
        if (video != null) {
            m.imageEncoder(); // a text-only model refuses video here, naming the model
            int tile = m.visionEncoder().config().imageSize();
            VideoFrameSampler sampler = new VideoFrameSampler(
                    new ImageDecoder(),
                    new ImagePreprocessor(tile, ImagePreprocessor.DEFAULT_MAX_PATCHES),
                    videoFrames,
                    VideoFrameSampler.DEFAULT_MAX_FPS);
            builder.images(sampler.fromMp4(Files.readAllBytes(video)));
        }
        MediaPrompt mediaPrompt = builder.build(system, prompt);
        int[] ids = mediaPrompt.ids();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        StreamingDecoder decoder = m.tokenizer().streamingDecoder();
        long[] firstToken = {0};
        SamplingParams params = new SamplingParams(temperature, topK, topP, minP, seed, maxTokens);
        InferenceRequest request = InferenceRequest.generate(ids, params)
                .withImageRows(mediaPrompt.imageRows())
                .withListener(token -> {
                    if (firstToken[0] == 0) {
                        firstToken[0] = System.nanoTime();
                    }
                    if (!m.config().isEos(token)) {
                        out.print(decoder.push(token));
                        out.flush();
                    }
                });
        InferenceResult g = Scheduler.runAlone(m.textModel(), request);
        out.print(decoder.flush());
        out.println();
        out.flush();
        double prefillS = g.prefillNanos() / 1e9;
        double decodeS = g.decodeNanos() / 1e9;
        int decoded = Math.max(0, g.tokens().length - 1);
        System.err.printf(
                Locale.ROOT,
                "[llamastream] model %s loaded in %.2f s; %s; first token %.2f s after that; prompt %d tokens in "
                        + "%.3f s (%.1f tok/s); %d tokens generated, decode %.1f tok/s; stop: %s%n",
                m.name(),
                (loaded - t0) / 1e9,
                warm,
                (firstToken[0] - ready) / 1e9,
                ids.length,
                prefillS,
                ids.length / Math.max(prefillS, 1e-9),
                g.tokens().length,
                decoded / Math.max(decodeS, 1e-9),
                g.stopReason());
        return 0;
    }
}
