package io.llamastream.operators;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.model.MediaPrompt;
import io.llamastream.operators.tasks.RejectedRequestException;

/**
 * Runs a request's images through the model's vision tower and projector, returning the rows
 * that replace its {@code <|patch|>} embeddings, in prompt order. The images were already
 * decoded once by the tokenize step (which dead-letters bad ones); shipping base64 through the
 * shuffle and decoding again is far cheaper than shipping float tiles.
 */
public final class ImageEmbedder {
    private final Llama4Model model;
    private final ImageInputs inputs;

    public ImageEmbedder(Llama4Model model, long maxPixels) {
        this.model = model;
        this.inputs = model.visionEncoder() == null
                ? null
                : new ImageInputs(maxPixels, model.visionEncoder().config().imageSize());
    }

    /** Null when there are no images; the projected rows {@code [patches, H]} otherwise. */
    public float[] embed(String[] imagesBase64) throws RejectedRequestException {
        if (imagesBase64.length == 0) {
            return null;
        }
        return new MediaPrompt.Builder(model)
                .images(inputs.preprocess(imagesBase64))
                .build(null, "")
                .imageRows();
    }
}
