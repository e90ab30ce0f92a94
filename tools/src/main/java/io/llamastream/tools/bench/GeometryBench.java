package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.checkpoint.Architecture;
import io.llamastream.engine.checkpoint.RopeScaling;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.DecoderWeights;
import io.llamastream.engine.model.Linear;
import io.llamastream.engine.model.RotaryEmbedding;
import io.llamastream.engine.model.SwiGlu;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.weights.Bf16Matrix;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.weights.F32Matrix;
import io.llamastream.engine.weights.Q4Matrix;
import io.llamastream.engine.weights.Q8Matrix;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bench --geometry scout|maverick --layers N}: the first N decoder layers of the real model
 * at its real shapes, with random weights built in memory in the chosen format, timed for
 * single-stream decode, batched decode and prefill; the full model's speed is extrapolated as
 * {@code layers x per-layer time + LM head}. The routed experts of a layer share one weight
 * set (a decode step reads one expert's bytes whichever it is), so a layer costs what its active
 * weights cost and a Maverick layer fits in memory; batched decode over that shared set is
 * therefore flattered by caches when tokens pick different experts, which the output says.
 */
public final class GeometryBench {
    /** What to measure. */
    public record Options(String geometry, int layers, WeightFormat format, int prompt, int batch, int gen, int runs) {}

    private final Options o;
    private final ComputePool pool;
    private final PrintStream log;

    public GeometryBench(Options options, ComputePool pool, PrintStream log) {
        this.o = options;
        this.pool = pool;
        this.log = log;
    }

    /** Llama 4 Scout (17B active, 16 experts) or Maverick (128 experts on every second layer), text decoder. */
    public static TextModelConfig config(String geometry, int layers) {
        boolean maverick = geometry.equals("maverick");
        if (!maverick && !geometry.equals("scout")) {
            throw new IllegalArgumentException("--geometry '" + geometry + "' is not scout or maverick");
        }
        boolean[] rope = new boolean[layers];
        boolean[] moe = new boolean[layers];
        for (int l = 0; l < layers; l++) {
            rope[l] = (l + 1) % 4 != 0;
            moe[l] = !maverick || l % 2 == 1;
        }
        return new TextModelConfig(
                Architecture.LLAMA4,
                5120,
                layers,
                40,
                8,
                128,
                202048,
                8192,
                16384,
                maverick ? 128 : 16,
                1,
                1e-5f,
                new RopeScaling("llama3", 500000, 8, 1, 4, 8192),
                !maverick,
                8192,
                rope,
                moe,
                true,
                8192,
                0.1,
                new int[] {200008},
                false,
                false);
    }

    /** Parameters of the whole model (48 layers) as stored, and of one step's active weights. */
    static long[] parameters(TextModelConfig c) {
        long h = c.hiddenSize();
        long attn = h * c.numHeads() * c.headDim() * 2 + 2 * h * c.numKvHeads() * c.headDim();
        long expert = 3 * h * c.intermediateSize();
        long dense = 3 * h * c.intermediateSizeMlp();
        long total = 0;
        long active = 0;
        for (int l = 0; l < 48; l++) {
            boolean moe = c.numExperts() == 16 || l % 2 == 1;
            total += attn + (moe ? (c.numExperts() + 1) * expert : dense);
            active += attn + (moe ? 2 * expert : dense);
        }
        long head = h * c.vocabSize();
        return new long[] {total + head, active + head, head};
    }

    public ObjectNode run() {
        TextModelConfig c = config(o.geometry(), o.layers());
        SyntheticWeights w = new SyntheticWeights(o.format());
        long t0 = System.nanoTime();
        TextModel tm = TextModel.load(w, c, -1, pool, o.format());
        log.printf(
                Locale.ROOT,
                "%s, %d layer(s) in %s: %.2f GB built in %.1f s%n",
                o.geometry(),
                o.layers(),
                o.format(),
                tm.weightBytes() / 1e9,
                (System.nanoTime() - t0) / 1e9);
        int[] prompt = new int[o.prompt()];
        Arrays.fill(prompt, 7);
        layersSeconds(tm, 1, 4); // warm-up
        layersSeconds(tm, 8, 2);
        layersSeconds(tm, o.prompt(), 1);
        double decode = Double.MAX_VALUE;
        double batched = Double.MAX_VALUE;
        double prefill = Double.MAX_VALUE;
        double head1 = Double.MAX_VALUE;
        double headB = Double.MAX_VALUE;
        for (int r = 0; r < o.runs(); r++) {
            decode = Math.min(decode, layersSeconds(tm, 1, o.gen()) / o.gen());
            batched = Math.min(batched, layersSeconds(tm, o.batch(), o.gen()) / o.gen());
            prefill = Math.min(prefill, layersSeconds(tm, o.prompt(), 1));
            head1 = Math.min(head1, headSeconds(w.lmHead, 1));
            headB = Math.min(headB, headSeconds(w.lmHead, o.batch()));
        }
        int full = 48;
        double perLayerDecode = decode / o.layers();
        double perLayerBatched = batched / o.layers();
        double perLayerPrefill = prefill / o.layers();
        long[] params = parameters(config(o.geometry(), full));
        double bpw = o.format() == WeightFormat.F32 ? 4 : o.format().bytesPerWeight();
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("geometry", o.geometry());
        out.put("format", o.format().name().toLowerCase(Locale.ROOT));
        out.put("threads", pool.threads());
        out.put("layers_measured", o.layers());
        out.put("decode_ms_per_layer", perLayerDecode * 1e3);
        out.put("batched_decode_ms_per_layer", perLayerBatched * 1e3);
        out.put("batch", o.batch());
        out.put("prefill_ms_per_layer", perLayerPrefill * 1e3);
        out.put("prompt", o.prompt());
        out.put("lm_head_ms", head1 * 1e3);
        out.put("full_decode_tok_per_s", 1 / (full * perLayerDecode + head1));
        out.put("full_batched_decode_tok_per_s", o.batch() / (full * perLayerBatched + headB));
        out.put("full_prefill_tok_per_s", o.prompt() / (full * perLayerPrefill + head1));
        out.put("full_weight_bytes", (long) (params[0] * bpw));
        out.put("active_bytes_per_token", (long) (params[1] * bpw));
        return out;
    }

    /** Seconds of {@code steps} steps of {@code tokens} tokens through the layers (no LM head), fresh caches. */
    private static double layersSeconds(TextModel tm, int tokens, int steps) {
        boolean prefill = steps == 1 && tokens > 8;
        KvCache[] caches = new KvCache[prefill ? 1 : tokens];
        for (int i = 0; i < caches.length; i++) {
            caches[i] = tm.newCache();
        }
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            Batch b = new Batch();
            if (prefill) {
                int[] ids = new int[tokens];
                Arrays.fill(ids, 7);
                b.add(caches[0], ids);
            } else {
                for (KvCache cache : caches) {
                    b.add(cache, new int[] {7 + s});
                }
            }
            tm.hiddenStates(b, -1);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private double headSeconds(Linear head, int tokens) {
        float[] x = new float[tokens * head.inFeatures()];
        Arrays.fill(x, 0.01f);
        float[] y = new float[tokens * head.outFeatures()];
        long t0 = System.nanoTime();
        head.apply(x, tokens, y, pool);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The figures as a table. */
    public static String table(ObjectNode r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s in %s, %d thread(s), %d layer(s) measured, extrapolated to 48 + LM head%n",
                r.get("geometry").asText(),
                r.get("format").asText(),
                r.get("threads").asInt(),
                r.get("layers_measured").asInt()));
        sb.append(String.format(
                Locale.ROOT,
                "%-34s %10.2f ms/layer -> %8.2f tok/s full model%n",
                "decode (1 sequence)",
                r.get("decode_ms_per_layer").asDouble(),
                r.get("full_decode_tok_per_s").asDouble()));
        sb.append(String.format(
                Locale.ROOT,
                "%-34s %10.2f ms/layer -> %8.2f tok/s full model%n",
                "batched decode (" + r.get("batch").asInt() + " sequences)",
                r.get("batched_decode_ms_per_layer").asDouble(),
                r.get("full_batched_decode_tok_per_s").asDouble()));
        sb.append(String.format(
                Locale.ROOT,
                "%-34s %10.2f ms/layer -> %8.2f tok/s full model%n",
                "prefill (" + r.get("prompt").asInt() + " tokens)",
                r.get("prefill_ms_per_layer").asDouble(),
                r.get("full_prefill_tok_per_s").asDouble()));
        sb.append(String.format(
                Locale.ROOT,
                "%-34s %10.2f ms%n",
                "LM head (1 token)",
                r.get("lm_head_ms").asDouble()));
        sb.append(String.format(
                Locale.ROOT,
                "%-34s %10.1f GB (%.2f GB read per token)%n",
                "full model weights",
                r.get("full_weight_bytes").asDouble() / 1e9,
                r.get("active_bytes_per_token").asDouble() / 1e9));
        return sb.toString();
    }

    /**
     * Random weights at the requested shapes, made without a file: matrices filled from one
     * buffer of random values (their values do not change the cost), experts of a layer sharing
     * one set, embeddings generated per looked-up row.
     */
    static final class SyntheticWeights implements DecoderWeights {
        private static final float[] NOISE = noise();
        private final WeightFormat format;
        private long bytes;
        Linear lmHead;

        SyntheticWeights(WeightFormat format) {
            this.format = format == WeightFormat.NATIVE ? WeightFormat.BF16 : format;
        }

        private static float[] noise() {
            SplittableRandom r = new SplittableRandom(42);
            float[] v = new float[(1 << 20) + 7];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() - 0.5) * 0.05f;
            }
            return v;
        }

        private WeightMatrix matrix(int rows, int cols) {
            WeightMatrix m;
            float[] row = new float[cols];
            switch (format) {
                case Q8 -> {
                    Q8Matrix q = new Q8Matrix(rows, cols);
                    for (int r = 0; r < rows; r++) {
                        q.setRows(r, fill(row, r), 0, 1);
                    }
                    m = q;
                }
                case Q4 -> {
                    Q4Matrix q = new Q4Matrix(rows, cols);
                    for (int r = 0; r < rows; r++) {
                        q.setRows(r, fill(row, r), 0, 1);
                    }
                    m = q;
                }
                case BF16 -> {
                    Bf16Matrix q = new Bf16Matrix(rows, cols);
                    for (int r = 0; r < rows; r++) {
                        q.setRows(r, fill(row, r), 0, 1);
                    }
                    m = q;
                }
                default -> {
                    float[] w = new float[Math.multiplyExact(rows, cols)];
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(fill(row, r), 0, w, r * cols, cols);
                    }
                    m = new F32Matrix(w, rows, cols);
                }
            }
            bytes += m.bytes();
            return m;
        }

        private static float[] fill(float[] row, int r) {
            int start = (int) ((r * 7919L) % (NOISE.length - row.length));
            System.arraycopy(NOISE, start, row, 0, row.length);
            return row;
        }

        @Override
        public Linear linear(int layer, Matrix role, int out, int in) {
            return new Linear(matrix(out, in));
        }

        @Override
        public Linear router(int layer, int experts, int hidden) {
            float[] w = new float[experts * hidden];
            for (int e = 0; e < experts; e++) {
                System.arraycopy(fill(new float[hidden], e), 0, w, e * hidden, hidden);
            }
            bytes += 4L * w.length;
            return new Linear(new F32Matrix(w, experts, hidden));
        }

        @Override
        public SwiGlu[] experts(int layer, int experts, int hidden, int inter) {
            SwiGlu one = new SwiGlu(
                    new Linear(matrix(inter, hidden)),
                    new Linear(matrix(inter, hidden)),
                    new Linear(matrix(hidden, inter)));
            SwiGlu[] all = new SwiGlu[experts];
            Arrays.fill(all, one);
            return all;
        }

        @Override
        public float[] norm(int layer, Norm which, int hidden) {
            float[] v = new float[hidden];
            Arrays.fill(v, 1f);
            return v;
        }

        @Override
        public Embeddings embeddings(int vocab, int hidden) {
            return Embeddings.ofRows(
                    (id, dst, off) -> System.arraycopy(NOISE, id % 1000, dst, off, hidden), 0, vocab, hidden);
        }

        @Override
        public float[] finalNorm(int hidden) {
            return norm(-1, Norm.INPUT, hidden);
        }

        @Override
        public Linear lmHead(int vocab, int hidden) {
            lmHead = new Linear(matrix(vocab, hidden));
            return lmHead;
        }

        @Override
        public RotaryEmbedding rotary(TextModelConfig c) {
            return new RotaryEmbedding(c.rope(), c.headDim());
        }

        @Override
        public long bytes() {
            return bytes;
        }
    }
}
