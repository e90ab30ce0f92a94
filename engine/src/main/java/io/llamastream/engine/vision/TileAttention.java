package io.llamastream.engine.vision;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.F32Matrix;

/**
 * Full (non-causal) self-attention of one head within one tile of the vision tower. The head's
 * queries, keys and values are gathered from the fused QKV rows ({@code [rows, 3 Hv]}: Q, then K,
 * then V), queries and keys rotated by the 2-D RoPE, and both products (Q K^T, then P V) run on the
 * many-row kernels' packed path on the calling thread. The context lands in the head's columns of
 * an output of {@code [rows, Hv]}. An instance holds one task's scratch, so it serves one thread;
 * {@link VisionEncoder#newTileAttention} makes one for an encoder.
 */
public final class TileAttention {
    private final VisionConfig cfg;
    private final VisionRope2d rope;
    /** Tokens in a tile: its patches and the class token. */
    private final int n;

    private final float[] qh;
    private final float[] kh;
    /** The head's values transposed, {@code [headDim, n]}, so P V is one more matrix product. */
    private final float[] vt;

    private final float[] scores;
    private final float[] context;
    /** The keys as a matrix over {@link #kh}, for Q K^T; made once, it reads the array as refilled. */
    private final F32Matrix keys;
    /** The transposed values as a matrix over {@link #vt}, for P V. */
    private final F32Matrix values;

    public TileAttention(VisionConfig cfg, VisionRope2d rope) {
        this.cfg = cfg;
        this.rope = rope;
        this.n = cfg.grid() * cfg.grid() + 1;
        int hd = cfg.headDim();
        this.qh = new float[n * hd];
        this.kh = new float[n * hd];
        this.vt = new float[hd * n];
        this.scores = new float[n * n];
        this.context = new float[n * hd];
        this.keys = new F32Matrix(kh, n, hd);
        this.values = new F32Matrix(vt, hd, n);
    }

    /** Attends head {@code head} of tile {@code tile} of {@code qkv}, writing its context into {@code out}. */
    public void attend(float[] qkv, int tile, int head, float[] out) {
        int hv = cfg.hiddenSize();
        int hd = cfg.headDim();
        int width = 3 * hv;
        int base = tile * n;
        for (int i = 0; i < n; i++) {
            int src = (base + i) * width + head * hd;
            System.arraycopy(qkv, src, qh, i * hd, hd);
            System.arraycopy(qkv, src + hv, kh, i * hd, hd);
            for (int d = 0; d < hd; d++) {
                vt[d * n + i] = qkv[src + 2 * hv + d];
            }
        }
        rope.applyHead(qh);
        rope.applyHead(kh);
        keys.multiply(qh, n, scores, ComputePool.INLINE);
        VisionKernels.scaledSoftmax(scores, 0, n, n, (float) (1.0 / Math.sqrt(hd)));
        values.multiply(scores, n, context, ComputePool.INLINE);
        for (int i = 0; i < n; i++) {
            System.arraycopy(context, i * hd, out, (base + i) * hv + head * hd, hd);
        }
    }
}
