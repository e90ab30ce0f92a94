package io.llamastream.engine.vision;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Llama 4's vision tower, pixel-shuffle adapter and multimodal projector (architecture doc
 * section 3, steps 1-7), on weights read from a {@link Checkpoint}. Its matrices are
 * {@link WeightMatrix}es in a chosen format (bf16 as stored halves the float32 bytes and runs on the
 * text model's many-row kernels; activations, norms and attention stay float32). All tiles of a
 * call go through each layer together so every weight matrix is streamed once per call, not once
 * per tile; attention stays within a tile. Weights are immutable after {@link #load}, so one instance
 * may serve concurrent calls.
 */
public final class VisionEncoder {
    private static final String P = "vision_model.";

    private record Layer(
            float[] ln1W,
            float[] ln1B,
            WeightMatrix qkvW, // q_proj, k_proj and v_proj stacked: [3 Hv, Hv]
            float[] qkvB,
            WeightMatrix oW,
            float[] oB,
            float[] ln2W,
            float[] ln2B,
            WeightMatrix fc1W,
            float[] fc1B,
            WeightMatrix fc2W,
            float[] fc2B) {}

    private final VisionConfig cfg;
    private final ComputePool pool;
    private final WeightMatrix patchW; // [Hv, 3*P*P]
    private final float[] classEmb; // [Hv]
    private final float[] posEmb; // [g*g+1, Hv]
    private final float[] preW, preB, postW, postB;
    private final Layer[] layers;
    private final WeightMatrix adapterFc1; // [projIn, Hv/r^2]
    private final WeightMatrix adapterFc2; // [projOut, projIn]
    private final WeightMatrix projector; // [textHidden, visionOutputDim]
    private final VisionRope2d rope;

    private VisionEncoder(
            VisionConfig cfg,
            ComputePool pool,
            WeightMatrix patchW,
            float[] classEmb,
            float[] posEmb,
            float[] preW,
            float[] preB,
            float[] postW,
            float[] postB,
            Layer[] layers,
            WeightMatrix adapterFc1,
            WeightMatrix adapterFc2,
            WeightMatrix projector) {
        this.cfg = cfg;
        this.pool = pool;
        this.patchW = patchW;
        this.classEmb = classEmb;
        this.posEmb = posEmb;
        this.preW = preW;
        this.preB = preB;
        this.postW = postW;
        this.postB = postB;
        this.layers = layers;
        this.adapterFc1 = adapterFc1;
        this.adapterFc2 = adapterFc2;
        this.projector = projector;
        this.rope = new VisionRope2d(cfg.grid(), cfg.headDim(), cfg.ropeTheta());
    }

    /**
     * Reads {@code vision_model.*} and {@code multi_modal_projector.linear_1.weight}, checking every
     * shape, with float32 matrices.
     */
    public static VisionEncoder load(Checkpoint ckpt, VisionConfig cfg) {
        return load(ckpt, cfg, ComputePool.shared(), WeightFormat.F32);
    }

    /** As {@link #load(Checkpoint, VisionConfig)}, with the matrices in {@code format}. */
    public static VisionEncoder load(Checkpoint ckpt, VisionConfig cfg, ComputePool pool, WeightFormat format) {
        return fromTensors(cfg, ckpt::floats, pool, format);
    }

    /** Where weights come from: a tensor name and its expected shape give float32 values. */
    @FunctionalInterface
    public interface TensorSource {
        float[] floats(String name, long... shape);
    }

    /** A matrix tensor converted to the encoder's weight format. */
    @FunctionalInterface
    private interface MatrixSource {
        WeightMatrix matrix(String name, long rows, long cols);
    }

    /**
     * Builds the encoder from any tensor source (a checkpoint, or random weights for benchmarks),
     * its matrices in {@code format} (Q8/Q4 fall back to BF16 for widths not a multiple of 32).
     */
    public static VisionEncoder fromTensors(
            VisionConfig cfg, TensorSource ckpt, ComputePool pool, WeightFormat format) {
        MatrixSource matrices = (name, rows, cols) ->
                format.fromFloats(ckpt.floats(name, rows, cols), Math.toIntExact(rows), Math.toIntExact(cols));
        long h = cfg.hiddenSize();
        long i = cfg.intermediateSize();
        long patchIn = (long) cfg.numChannels() * cfg.patchSize() * cfg.patchSize();
        long positions = (long) cfg.grid() * cfg.grid() + 1;
        Layer[] layers = new Layer[cfg.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String n = P + "model.layers." + l + ".";
            layers[l] = new Layer(
                    ckpt.floats(n + "input_layernorm.weight", h),
                    ckpt.floats(n + "input_layernorm.bias", h),
                    format.fromFloats(
                            concat(
                                    ckpt.floats(n + "self_attn.q_proj.weight", h, h),
                                    ckpt.floats(n + "self_attn.k_proj.weight", h, h),
                                    ckpt.floats(n + "self_attn.v_proj.weight", h, h)),
                            Math.toIntExact(3 * h),
                            Math.toIntExact(h)),
                    concat(
                            ckpt.floats(n + "self_attn.q_proj.bias", h),
                            ckpt.floats(n + "self_attn.k_proj.bias", h),
                            ckpt.floats(n + "self_attn.v_proj.bias", h)),
                    matrices.matrix(n + "self_attn.o_proj.weight", h, h),
                    ckpt.floats(n + "self_attn.o_proj.bias", h),
                    ckpt.floats(n + "post_attention_layernorm.weight", h),
                    ckpt.floats(n + "post_attention_layernorm.bias", h),
                    matrices.matrix(n + "mlp.fc1.weight", i, h),
                    ckpt.floats(n + "mlp.fc1.bias", i),
                    matrices.matrix(n + "mlp.fc2.weight", h, i),
                    ckpt.floats(n + "mlp.fc2.bias", h));
        }
        return new VisionEncoder(
                cfg,
                pool,
                matrices.matrix(P + "patch_embedding.linear.weight", h, patchIn),
                ckpt.floats(P + "class_embedding", h),
                ckpt.floats(P + "positional_embedding_vlm", positions, h),
                ckpt.floats(P + "layernorm_pre.weight", h),
                ckpt.floats(P + "layernorm_pre.bias", h),
                ckpt.floats(P + "layernorm_post.weight", h),
                ckpt.floats(P + "layernorm_post.bias", h),
                layers,
                matrices.matrix(P + "vision_adapter.mlp.fc1.weight", cfg.projectorInputDim(), cfg.shuffledDim()),
                matrices.matrix(P + "vision_adapter.mlp.fc2.weight", cfg.projectorOutputDim(), cfg.projectorInputDim()),
                matrices.matrix("multi_modal_projector.linear_1.weight", cfg.textHiddenSize(), cfg.visionOutputDim()));
    }

    /** The arrays one after another: row-major matrices with equal widths stack into one. */
    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    public VisionConfig config() {
        return cfg;
    }

    /**
     * Every weight matrix of the tower: the patch embedding, per layer the stacked q/k/v, o, fc1 and
     * fc2, then the adapter's two and the projector.
     */
    public List<WeightMatrix> matrices() {
        List<WeightMatrix> all = new ArrayList<>();
        all.add(patchW);
        for (Layer l : layers) {
            all.addAll(List.of(l.qkvW(), l.oW(), l.fc1W(), l.fc2W()));
        }
        all.addAll(List.of(adapterFc1, adapterFc2, projector));
        return all;
    }

    /** Bytes of all the tower's weights: its matrices in their format, every other tensor float32. */
    public long weightBytes() {
        long bytes = patchW.bytes() + adapterFc1.bytes() + adapterFc2.bytes() + projector.bytes();
        bytes += floatBytes(classEmb, posEmb, preW, preB, postW, postB);
        for (Layer l : layers) {
            bytes += l.qkvW().bytes()
                    + l.oW().bytes()
                    + l.fc1W().bytes()
                    + l.fc2W().bytes();
            bytes += floatBytes(l.ln1W(), l.ln1B(), l.qkvB(), l.oB(), l.ln2W(), l.ln2B(), l.fc1B(), l.fc2B());
        }
        return bytes;
    }

    private static long floatBytes(float[]... arrays) {
        long n = 0;
        for (float[] a : arrays) {
            n += a.length;
        }
        return n * Float.BYTES;
    }

    /**
     * Encodes {@code tiles} tiles of {@code pixelValues} ({@code [tiles, 3, S, S]}) to the adapter
     * output {@code [tiles, tokensPerTile, visionOutputDim]}.
     */
    public float[] encode(float[] pixelValues, int tiles) {
        int s = cfg.imageSize();
        if (tiles < 1 || pixelValues.length != (long) tiles * cfg.numChannels() * s * s) {
            throw new IllegalArgumentException("pixelValues has " + pixelValues.length + " floats, expected " + tiles
                    + " tiles of " + cfg.numChannels() + "x" + s + "x" + s);
        }
        int hv = cfg.hiddenSize();
        int g = cfg.grid();
        int n = g * g + 1;
        int rows = tiles * n;

        float[] x = embedPatches(pixelValues, tiles);
        VisionKernels.layerNorm(x, rows, hv, preW, preB, cfg.normEps(), x, pool);
        float[] scratch = new float[rows * hv];
        float[] qkv = new float[rows * 3 * hv];
        float[] mlp = new float[rows * cfg.intermediateSize()];
        for (Layer layer : layers) {
            attentionBlock(layer, x, tiles, scratch, qkv);
            mlpBlock(layer, x, rows, scratch, mlp);
        }
        VisionKernels.layerNorm(x, rows, hv, postW, postB, cfg.normEps(), x, pool);

        // Drop each tile's class row (the last), pixel-shuffle the g x g grid, then the adapter MLP.
        int tpt = cfg.tokensPerTile();
        int wide = cfg.shuffledDim();
        float[] shuffled = new float[tiles * tpt * wide];
        for (int t = 0; t < tiles; t++) {
            PixelShuffle.apply(x, t * n * hv, g, hv, cfg.pixelShuffleRatio(), shuffled, t * tpt * wide);
        }
        int outRows = tiles * tpt;
        float[] a = new float[outRows * cfg.projectorInputDim()];
        adapterFc1.multiply(shuffled, outRows, a, pool);
        VisionKernels.gelu(a, 0, a.length, pool);
        float[] out = new float[outRows * cfg.projectorOutputDim()];
        adapterFc2.multiply(a, outRows, out, pool);
        VisionKernels.gelu(out, 0, out.length, pool);
        return out;
    }

    /** Projects {@code rows} adapter rows to the text model's hidden size: {@code [rows, textHidden]}. */
    public float[] project(float[] features, int rows) {
        int in = cfg.visionOutputDim();
        if (features.length != (long) rows * in) {
            throw new IllegalArgumentException(
                    "features has " + features.length + " floats, expected " + rows + " x " + in);
        }
        float[] out = new float[rows * cfg.textHiddenSize()];
        projector.multiply(features, rows, out, pool);
        return out;
    }

    /** Steps 1-2 up to the pre-LayerNorm: patch rows, class row last, plus positions. */
    private float[] embedPatches(float[] px, int tiles) {
        int s = cfg.imageSize();
        int p = cfg.patchSize();
        int g = cfg.grid();
        int ch = cfg.numChannels();
        int hv = cfg.hiddenSize();
        int n = g * g + 1;
        int patchIn = ch * p * p;
        // Unfold: each patch flattened channel-major (c, y, x), patches row-major.
        float[] patches = new float[tiles * g * g * patchIn];
        for (int t = 0; t < tiles; t++) {
            for (int py = 0; py < g; py++) {
                for (int pxi = 0; pxi < g; pxi++) {
                    int dst = ((t * g + py) * g + pxi) * patchIn;
                    for (int c = 0; c < ch; c++) {
                        for (int y = 0; y < p; y++) {
                            int src = ((t * ch + c) * s + py * p + y) * s + pxi * p;
                            System.arraycopy(px, src, patches, dst + (c * p + y) * p, p);
                        }
                    }
                }
            }
        }
        float[] embedded = new float[tiles * g * g * hv];
        patchW.multiply(patches, tiles * g * g, embedded, pool);
        float[] x = new float[tiles * n * hv];
        for (int t = 0; t < tiles; t++) {
            System.arraycopy(embedded, t * g * g * hv, x, t * n * hv, g * g * hv);
            System.arraycopy(classEmb, 0, x, (t * n + g * g) * hv, hv);
            FloatKernels.addInPlace(x, t * n * hv, posEmb, 0, n * hv);
        }
        return x;
    }

    /**
     * LayerNorm, one product for Q, K and V together (one pass over the activations), then full
     * (non-causal) attention within each tile: one {@link TileAttention} task per (tile, head),
     * claimed from a counter so a thread whose core is busy elsewhere takes fewer. The context goes
     * to xn, whose normalised input is no longer needed; the output projection and its bias are
     * added to the residual stream.
     */
    /** One thread's attention within a tile, with this encoder's shape and 2-D RoPE tables. */
    public TileAttention newTileAttention() {
        return new TileAttention(cfg, rope);
    }

    private void attentionBlock(Layer l, float[] x, int tiles, float[] xn, float[] qkv) {
        int hv = cfg.hiddenSize();
        int n = cfg.grid() * cfg.grid() + 1;
        int rows = tiles * n;
        int heads = cfg.numHeads();
        int hd = cfg.headDim();
        int width = 3 * hv;
        VisionKernels.layerNorm(x, rows, hv, l.ln1W(), l.ln1B(), cfg.normEps(), xn, pool);
        l.qkvW().multiply(xn, rows, qkv, pool);
        VisionKernels.addBias(qkv, rows, width, l.qkvB(), pool);
        int tasks = tiles * heads;
        AtomicInteger next = new AtomicInteger();
        pool.forRange(Math.min(pool.threads(), tasks), (long) n * n * hd * 2 * tasks / pool.threads(), (a, b) -> {
            TileAttention attention = newTileAttention();
            for (int th = next.getAndIncrement(); th < tasks; th = next.getAndIncrement()) {
                attention.attend(qkv, th / heads, th % heads, xn);
            }
        });
        l.oW().multiply(xn, rows, qkv, pool);
        VisionKernels.addBiasResidual(x, qkv, rows, hv, l.oB(), pool);
    }

    private void mlpBlock(Layer l, float[] x, int rows, float[] xn, float[] mlp) {
        int hv = cfg.hiddenSize();
        int im = cfg.intermediateSize();
        VisionKernels.layerNorm(x, rows, hv, l.ln2W(), l.ln2B(), cfg.normEps(), xn, pool);
        l.fc1W().multiply(xn, rows, mlp, pool);
        VisionKernels.addBias(mlp, rows, im, l.fc1B(), pool);
        VisionKernels.gelu(mlp, 0, rows * im, pool);
        l.fc2W().multiply(mlp, rows, xn, pool);
        VisionKernels.addBiasResidual(x, xn, rows, hv, l.fc2B(), pool);
    }
}
