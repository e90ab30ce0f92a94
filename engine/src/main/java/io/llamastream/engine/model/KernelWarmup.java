package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.vision.TileAttention;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.vision.VisionEncoder;
import io.llamastream.engine.vision.VisionKernels;
import io.llamastream.engine.weights.WeightMatrix;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a loaded model's compute kernels on throwaway inputs until the JIT has compiled them, so
 * the first requests the model serves run at full speed: the kernels are Vector API code, which
 * until C2 has compiled it runs 10-100x slower (the interpreter and C1 box every vector). A pass
 * drives, for each distinct {@link WeightMatrix#kernelKind kernel kind} and column count among the
 * model's matrices, every kernel path ({@link WeightMatrix#kernelPathTokens}) on the leading rows
 * only, so a pass costs about the same on a 100 GB model as on a small one; the attention of each
 * kind of layer (RoPE, NoPE) over a scratch KV cache, a prefill then a decode step; the MoE routing;
 * and the norms and activations between them; for a multimodal model also the vision tower's matrices
 * (joining the kinds above), its LayerNorm, GELU and residual kernels, and one head of one tile's
 * attention. It changes nothing a request sees: weights are only read, the KV cache is its own, and
 * nothing is counted (expert token counts, the kernels' speed watches).
 *
 * <p>Passes run at least a minimum number of times, then until one is {@link #isSteady steady} (as
 * fast as the fastest before it, with no JIT compilation finishing meanwhile: on a busy machine C2
 * arrives late, and a fixed count would stop while a kernel still runs boxed), at most a maximum
 * number of times and within a time budget (the pass running when it is spent finishes).
 */
public final class KernelWarmup {
    /** System property: {@code false} turns the warm-up at model load off (default on). */
    public static final String PROPERTY = "llamastream.kernelWarmup";

    /** System property: the warm-up's time budget in milliseconds. */
    public static final String MAX_MS_PROPERTY = "llamastream.kernelWarmupMaxMs";

    /** Passes before the warm-up may end: on an idle machine C2 has compiled every kernel by about 26. */
    public static final int DEFAULT_MIN_PASSES = 40;

    public static final int DEFAULT_MAX_PASSES = 1000;
    public static final long DEFAULT_MAX_MS = 30_000;

    /** A pass is steady when it takes at most this much more than the fastest pass before it. */
    static final double STEADY = 1.15;

    /**
     * Output rows per compute thread that a warm-up multiply computes: enough for every thread to
     * claim a run of row groups (the claiming loops are part of what gets compiled), few enough that
     * a pass stays cheap on any model.
     */
    static final int ROWS_PER_THREAD = 64;

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final int minPasses;
    private final int maxPasses;
    private final Duration maxTime;

    /**
     * A warm-up of {@code minPasses} to {@code maxPasses} passes (0: none) within about
     * {@code maxTime}.
     */
    public KernelWarmup(int minPasses, int maxPasses, Duration maxTime) {
        if (minPasses < 0 || maxPasses < minPasses || maxTime.isNegative()) {
            throw new IllegalArgumentException(
                    "bad warm-up budget: " + minPasses + " to " + maxPasses + " passes, " + maxTime);
        }
        this.minPasses = minPasses;
        this.maxPasses = maxPasses;
        this.maxTime = maxTime;
    }

    /** No warm-up at all. */
    public static KernelWarmup off() {
        return new KernelWarmup(0, 0, Duration.ZERO);
    }

    /**
     * The warm-up the system properties ask for: off when {@value #PROPERTY} is {@code false},
     * else {@value #DEFAULT_MIN_PASSES} to {@value #DEFAULT_MAX_PASSES} passes within
     * {@value #MAX_MS_PROPERTY} ms (default {@value #DEFAULT_MAX_MS}).
     */
    public static KernelWarmup fromSystemProperties() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return off();
        }
        return new KernelWarmup(
                DEFAULT_MIN_PASSES,
                DEFAULT_MAX_PASSES,
                Duration.ofMillis(Long.getLong(MAX_MS_PROPERTY, DEFAULT_MAX_MS)));
    }

    public boolean enabled() {
        return maxPasses > 0;
    }

    /**
     * Whether the last of {@code passNanos} is steady: at most {@link #STEADY} times the fastest
     * pass before it, and no JIT compilation finished while it ran ({@code compiled}: false when
     * the JVM does not say).
     */
    static boolean isSteady(List<Long> passNanos, boolean compiled) {
        int n = passNanos.size();
        if (n < 2 || compiled) {
            return false;
        }
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < n - 1; i++) {
            fastest = Math.min(fastest, passNanos.get(i));
        }
        return passNanos.get(n - 1) <= STEADY * fastest;
    }

    /** Milliseconds the JIT has spent on compilations it finished, or -1 if the JVM does not say. */
    private static long compileMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    /** What a warm-up ran: its passes (each one's nanoseconds), and what one pass covers. */
    public record Report(
            long[] passNanos,
            List<String> matrixKinds,
            List<String> attentionKinds,
            boolean moeRouting,
            boolean visionTower) {
        public int passes() {
            return passNanos.length;
        }

        public long nanos() {
            return Arrays.stream(passNanos).sum();
        }

        /** One line for the log: the passes, their first and last durations, what they covered. */
        @Override
        public String toString() {
            if (passNanos.length == 0) {
                return "kernel warm-up off";
            }
            return String.format(
                    Locale.ROOT,
                    "kernel warm-up: %d passes in %.2f s (first %.1f ms, last %.1f ms) over %d matrix kinds x %d "
                            + "kernel paths %s, attention %s%s%s",
                    passNanos.length,
                    nanos() / 1e9,
                    passNanos[0] / 1e6,
                    passNanos[passNanos.length - 1] / 1e6,
                    matrixKinds.size(),
                    WeightMatrix.kernelPathTokens().length,
                    matrixKinds,
                    attentionKinds,
                    moeRouting ? ", MoE routing" : "",
                    visionTower ? ", vision tower norms, GELU and tile attention" : "");
        }
    }

    /** Warms up {@code model}'s kernels, its vision tower's too if it has one, on its compute pool. */
    public Report run(Llama4Model model) {
        return run(model.textModel(), model.visionEncoder());
    }

    /** Warms up the text decoder's kernels on its compute pool; returns what ran. */
    public Report run(TextModel model) {
        return run(model, null);
    }

    private Report run(TextModel model, VisionEncoder vision) {
        if (!enabled()) {
            return new Report(new long[0], List.of(), List.of(), false, false);
        }
        Pass pass = new Pass(model, vision);
        long deadline = System.nanoTime() + maxTime.toNanos();
        List<Long> nanos = new ArrayList<>();
        while (nanos.size() < maxPasses) {
            long compiledBefore = compileMillis();
            long start = System.nanoTime();
            pass.run();
            long end = System.nanoTime();
            nanos.add(end - start);
            if (end - deadline >= 0
                    || (nanos.size() >= minPasses && isSteady(nanos, compileMillis() != compiledBefore))) {
                break;
            }
        }
        return new Report(
                nanos.stream().mapToLong(Long::longValue).toArray(),
                pass.matrices.stream()
                        .map(m -> m.kernelKind() + " x" + m.cols())
                        .toList(),
                pass.attentions.stream().map(Attention::kind).toList(),
                pass.moe != null,
                vision != null);
    }

    /** The inputs and outputs of one model's passes, made once. */
    private static final class Pass {
        private static final int[] TOKENS = WeightMatrix.kernelPathTokens();
        private static final int MAX_TOKENS = TOKENS[TOKENS.length - 1];

        private final TextModelConfig config;
        private final ComputePool pool;
        /** One matrix of each kernel kind and column count. */
        private final List<WeightMatrix> matrices;
        /** One output buffer per matrix, {@code [MAX_TOKENS, rows]}. */
        private final List<float[]> outputs = new ArrayList<>();
        /** Inputs by column count, {@code [MAX_TOKENS, cols]}. */
        private final Map<Integer, float[]> inputs = new LinkedHashMap<>();
        /** The attention of the first layer of each kind. */
        private final List<Attention> attentions;

        private final MoeLayer moe;
        private final TextModel model;
        private final float[] qs;
        private final float[] ks;
        private final float[] vs;
        private final float[] ctx;
        private final float[] work;
        private final float[] residual;
        private final float[] norm;
        private final float[] scores;
        /** The vision tower's shape, or null for a text-only model; its scratch rows {@code [MAX_TOKENS, hidden]}. */
        private final VisionConfig vision;

        private final float[] visionRows;
        private final float[] visionOut;
        private final float[] visionWeight;
        private final float[] visionBias;
        /** One head of one tile's attention, over a scratch tile of fused QKV rows; null for a text-only model. */
        private final TileAttention tileAttention;

        private final float[] tileQkv;
        private final float[] tileContext;

        Pass(TextModel model, VisionEncoder vision) {
            this.model = model;
            this.config = model.config();
            this.pool = model.pool();
            SplittableRandom random = new SplittableRandom(20261206);
            Map<String, WeightMatrix> byKind = new LinkedHashMap<>();
            List<WeightMatrix> all = new ArrayList<>(model.matrices());
            if (vision != null) {
                all.addAll(vision.matrices());
            }
            for (WeightMatrix m : all) {
                byKind.putIfAbsent(m.kernelKind() + " x" + m.cols(), m);
            }
            this.matrices = List.copyOf(byKind.values());
            for (WeightMatrix m : matrices) {
                outputs.add(new float[MAX_TOKENS * m.rows()]);
                inputs.computeIfAbsent(m.cols(), cols -> values(random, MAX_TOKENS * cols));
            }
            Map<String, Attention> attentionByKind = new LinkedHashMap<>();
            MoeLayer firstMoe = null;
            for (DecoderLayer layer : model.layers()) {
                attentionByKind.putIfAbsent(layer.attention().kind(), layer.attention());
                if (firstMoe == null && layer.feedForward() instanceof MoeLayer m) {
                    firstMoe = m;
                }
            }
            this.attentions = List.copyOf(attentionByKind.values());
            this.moe = firstMoe;
            int hidden = config.hiddenSize();
            int qw = config.numHeads() * config.headDim();
            int kw = config.numKvHeads() * config.headDim();
            this.qs = values(random, MAX_TOKENS * qw);
            this.ks = values(random, MAX_TOKENS * kw);
            this.vs = values(random, MAX_TOKENS * kw);
            this.ctx = new float[MAX_TOKENS * qw];
            this.work = values(random, MAX_TOKENS * hidden);
            this.residual = new float[MAX_TOKENS * hidden];
            this.norm = new float[hidden];
            Arrays.fill(norm, 1f);
            this.scores = values(random, MAX_TOKENS * (moe == null ? 1 : moe.experts()));
            this.vision = vision == null ? null : vision.config();
            int hv = vision == null ? 1 : vision.config().hiddenSize();
            this.visionRows = values(random, MAX_TOKENS * hv);
            this.visionOut = new float[MAX_TOKENS * hv];
            this.visionWeight = new float[hv];
            Arrays.fill(visionWeight, 1f);
            this.visionBias = new float[hv];
            if (vision == null) {
                this.tileAttention = null;
                this.tileQkv = null;
                this.tileContext = null;
            } else {
                VisionConfig vc = vision.config();
                int tile = vc.grid() * vc.grid() + 1;
                this.tileAttention = vision.newTileAttention();
                this.tileQkv = values(random, tile * 3 * hv);
                this.tileContext = new float[tile * hv];
            }
        }

        void run() {
            int rowsPerCall = ROWS_PER_THREAD * pool.threads();
            for (int i = 0; i < matrices.size(); i++) {
                WeightMatrix m = matrices.get(i);
                float[] x = inputs.get(m.cols());
                for (int tokens : TOKENS) {
                    m.multiplyLeadingRows(x, tokens, outputs.get(i), Math.min(m.rows(), rowsPerCall), pool);
                }
            }
            attention();
            int hidden = config.hiddenSize();
            for (int tokens : TOKENS) {
                if (moe != null) {
                    moe.route(scores, tokens);
                }
                for (int t = 0; t < tokens; t++) {
                    FloatKernels.rmsNorm(work, t * hidden, norm, config.rmsNormEps(), residual, t * hidden, hidden);
                }
                FloatKernels.siluMul(residual, 0, work, 0, tokens * hidden);
                FloatKernels.addInPlace(residual, 0, work, 0, tokens * hidden);
                if (vision != null) {
                    int hv = vision.hiddenSize();
                    VisionKernels.layerNorm(
                            visionRows, tokens, hv, visionWeight, visionBias, vision.normEps(), visionOut, pool);
                    VisionKernels.gelu(visionOut, 0, tokens * hv, pool);
                    VisionKernels.addBiasResidual(visionOut, visionRows, tokens, hv, visionBias, pool);
                }
            }
            if (tileAttention != null) {
                tileAttention.attend(tileQkv, 0, 0, tileContext);
            }
        }

        /** A prefill of the longest token count, then one decode step, in a fresh scratch cache. */
        private void attention() {
            KvCache cache = model.newCache();
            for (int tokens : new int[] {MAX_TOKENS, 1}) {
                Batch batch = new Batch().add(cache, new int[tokens]);
                for (Attention a : attentions) {
                    // The queries and keys are rotated or scaled in place: each layer gets them afresh.
                    float[] q = Arrays.copyOf(qs, tokens * config.numHeads() * config.headDim());
                    float[] k = Arrays.copyOf(ks, tokens * config.numKvHeads() * config.headDim());
                    a.attendProjected(q, k, vs, batch, ctx, pool);
                }
                cache.advance(tokens);
            }
        }

        private static float[] values(SplittableRandom random, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (random.nextDouble() * 2 - 1);
            }
            return v;
        }
    }
}
