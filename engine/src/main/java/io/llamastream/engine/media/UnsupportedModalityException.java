package io.llamastream.engine.media;

import java.util.Locale;

/**
 * A request carried a modality the loaded model cannot read (audio for Llama 4, or images for a
 * text-only checkpoint). The message names the model so the user knows which to switch to.
 */
public final class UnsupportedModalityException extends RuntimeException {
    private final Modality modality;
    private final String model;

    public UnsupportedModalityException(String model, Modality modality) {
        super("model " + model + " has no " + modality.name().toLowerCase(Locale.ROOT) + " encoder");
        this.model = model;
        this.modality = modality;
    }

    public Modality modality() {
        return modality;
    }

    public String model() {
        return model;
    }
}
