package io.llamastream.engine.vision;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.media.ImageDecoder;
import io.llamastream.engine.media.ImagePreprocessor;
import io.llamastream.engine.media.PreprocessedImage;
import io.llamastream.engine.media.RgbImage;
import io.llamastream.engine.media.TestImages;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints how long preprocessing and encoding one image with a 2x2 tile grid (4 tiles + the global
 * tile = 5 encoder tiles) take, on the tiny-vision model and on a Scout-sized tower with random
 * weights. Timing only, no assertions; run with -Dllamastream.bench=true (and
 * -Dbench.scoutLayers=N to shorten the Scout run).
 */
@EnabledIfSystemProperty(named = "llamastream.bench", matches = "true")
class VisionBenchmarkTest {

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    @Test
    void tinyVisionPreprocessAndEncode() {
        Path dir = Fixtures.model("tiny-vision");
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            VisionEncoder enc = VisionEncoder.load(ckpt, VisionConfig.read(dir.resolve("config.json")));
            ImagePreprocessor pre = new ImagePreprocessor(56, 16);
            RgbImage img = new ImageDecoder().decode(TestImages.encode(TestImages.noise(112, 112, 1), "png"));
            double[] pt = new double[30];
            double[] et = new double[30];
            for (int i = 0; i < 40; i++) {
                long t0 = System.nanoTime();
                PreprocessedImage p = pre.preprocess(img);
                double a = seconds(t0);
                t0 = System.nanoTime();
                enc.project(
                        enc.encode(p.pixelValues(), p.tiles()),
                        p.tiles() * enc.config().tokensPerTile());
                double b = seconds(t0);
                if (i >= 10) {
                    pt[i - 10] = a;
                    et[i - 10] = b;
                }
            }
            Arrays.sort(pt);
            Arrays.sort(et);
            System.out.printf(
                    "BENCH tiny-vision 2x2 grid (5 tiles of 56): preprocess %.3f ms, encode+project %.3f ms (median of 30, %d threads)%n",
                    pt[15] * 1e3, et[15] * 1e3, ComputePool.shared().threads());
        }
    }

    @Test
    void scoutSizedPreprocessAndEncode() {
        int layers = Integer.getInteger("bench.scoutLayers", 34);
        WeightFormat format = WeightFormat.valueOf(System.getProperty("bench.visionFormat", "BF16"));
        VisionConfig cfg = new VisionConfig(
                1408, layers, 16, 5632, 336, 14, 3, 1e-5f, 0.5, 4096, 4096, 4096, 10000.0, 5120, 200092, 200080,
                200081);
        SplittableRandom rnd = new SplittableRandom(42);
        VisionEncoder enc = VisionEncoder.fromTensors(
                cfg,
                (name, shape) -> {
                    long n = 1;
                    for (long d : shape) {
                        n *= d;
                    }
                    float[] w = new float[Math.toIntExact(n)];
                    double std = name.contains("layernorm") && name.endsWith("weight") ? 0 : 0.02;
                    for (int i = 0; i < w.length; i++) {
                        w[i] = std == 0 ? 1f : (float) (rnd.nextDouble(-1, 1) * std * 1.7);
                    }
                    return w;
                },
                ComputePool.shared(),
                format);
        RgbImage img = new ImageDecoder().decode(TestImages.encode(TestImages.noise(672, 672, 2), "png"));
        ImagePreprocessor pre = new ImagePreprocessor();
        for (int i = 0; i < 3; i++) {
            pre.preprocess(img);
        }
        long t0 = System.nanoTime();
        PreprocessedImage p = pre.preprocess(img);
        double a = seconds(t0);
        t0 = System.nanoTime();
        float[] f = enc.encode(p.pixelValues(), p.tiles());
        double b = seconds(t0);
        t0 = System.nanoTime();
        enc.project(f, p.tiles() * cfg.tokensPerTile());
        double c = seconds(t0);
        System.out.printf(
                "BENCH scout-sized (%d layers, %s matrices) %dx%d grid (%d tiles of 336): preprocess %.1f ms, encode %.2f s, project %.3f s (single run, %d threads)%n",
                layers,
                format,
                p.rows(),
                p.cols(),
                p.tiles(),
                a * 1e3,
                b,
                c,
                ComputePool.shared().threads());
    }
}
