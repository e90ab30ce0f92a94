package io.llamastream.engine.checkpoint;

/**
 * RoPE frequency settings: the base theta and, for {@code rope_type: llama3}, the scaling of
 * long wavelengths. {@link #inverseFrequencies(int)} applies exactly the llama3 rule of the
 * architecture spec, including the empty middle band when low and high factors are equal.
 */
public record RopeScaling(
        String type,
        double theta,
        double factor,
        double lowFreqFactor,
        double highFreqFactor,
        double originalMaxPositions) {

    public static RopeScaling unscaled(double theta) {
        return new RopeScaling("default", theta, 1, 1, 1, 0);
    }

    /** {@code inv_freq[i]} for i < headDim/2, in double precision. */
    public double[] inverseFrequencies(int headDim) {
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        if (!"llama3".equals(type)) {
            return inv;
        }
        double lowWavelen = originalMaxPositions / lowFreqFactor;
        double highWavelen = originalMaxPositions / highFreqFactor;
        for (int i = 0; i < half; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen < highWavelen) {
                continue;
            }
            if (wavelen > lowWavelen) {
                inv[i] = inv[i] / factor;
            } else {
                double s = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inv[i] = (1 - s) * inv[i] / factor + s * inv[i];
            }
        }
        return inv;
    }
}
