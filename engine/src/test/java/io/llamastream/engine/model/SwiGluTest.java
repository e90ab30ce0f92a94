package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import io.llamastream.engine.weights.WeightFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SwiGluTest {
    private static final int HIDDEN = 256;
    private static final int WIDTH = 96;

    private final SplittableRandom rnd = new SplittableRandom(29);

    private Linear linear(WeightFormat format, int out, int in) {
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian() * 0.1f;
        }
        return new Linear(format.fromFloats(w, out, in));
    }

    private SwiGlu swiGlu(WeightFormat format) {
        return new SwiGlu(linear(format, WIDTH, HIDDEN), linear(format, WIDTH, HIDDEN), linear(format, HIDDEN, WIDTH));
    }

    private float[] row() {
        float[] x = new float[HIDDEN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @Test
    void feedForwardsRunTogetherOnOneTokenEachGiveTheBitsOfEachRunAlone() {
        SwiGlu[] ffns = {swiGlu(WeightFormat.Q4), swiGlu(WeightFormat.Q8), swiGlu(WeightFormat.Q4)};
        float[][] xs = {row(), row(), row()};
        float[][] together = {new float[HIDDEN], new float[HIDDEN], new float[HIDDEN]};
        try (ComputePool pool = new ComputePool(2)) {
            SwiGlu.applyOneTokenEach(ffns, xs, together, pool);
            for (int i = 0; i < ffns.length; i++) {
                float[] alone = new float[HIDDEN];
                ffns[i].apply(xs[i], 1, alone, pool);
                LaneSumOrder.assertSameSums(alone, together[i], "feed-forward " + i);
            }
        }
    }
}
