package io.llamastream.engine.media;

import java.util.EnumMap;
import java.util.Map;

/**
 * The media encoders one model offers, by modality. Asking for a modality the model lacks fails
 * with {@link UnsupportedModalityException} naming the model, rather than a null or a late crash.
 */
public final class MediaEncoders {
    private final String model;
    private final Map<Modality, MediaEncoder> byModality = new EnumMap<>(Modality.class);

    public MediaEncoders(String model, MediaEncoder... encoders) {
        this.model = model;
        for (MediaEncoder e : encoders) {
            if (byModality.put(e.modality(), e) != null) {
                throw new IllegalArgumentException("two encoders for " + e.modality());
            }
        }
    }

    public boolean supports(Modality m) {
        return byModality.containsKey(m);
    }

    public MediaEncoder forModality(Modality m) {
        MediaEncoder e = byModality.get(m);
        if (e == null) {
            throw new UnsupportedModalityException(model, m);
        }
        return e;
    }
}
