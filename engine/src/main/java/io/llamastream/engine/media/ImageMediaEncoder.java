package io.llamastream.engine.media;

import io.llamastream.engine.vision.VisionEncoder;
import java.util.function.ToIntFunction;

/**
 * The whole image path behind {@link MediaEncoder}: decode, preprocess into tiles, run the vision
 * tower and projector, and lay out the prompt tokens whose {@code <|patch|>} positions the
 * projected rows fill (tiles in encoder order: grid row-major, global tile last).
 */
public final class ImageMediaEncoder implements MediaEncoder {
    private final ImageDecoder decoder;
    private final ImagePreprocessor preprocessor;
    private final VisionEncoder encoder;
    private final ImagePromptLayout layout;

    public ImageMediaEncoder(
            ImageDecoder decoder,
            ImagePreprocessor preprocessor,
            VisionEncoder encoder,
            ToIntFunction<String> tokenId) {
        if (preprocessor.tileSize() != encoder.config().imageSize()) {
            throw new IllegalArgumentException("preprocessor tiles are " + preprocessor.tileSize()
                    + " px but the encoder expects " + encoder.config().imageSize());
        }
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.encoder = encoder;
        this.layout = new ImagePromptLayout(tokenId);
    }

    /** Default decoder limits and preprocessing at the encoder's tile size. */
    public ImageMediaEncoder(VisionEncoder encoder, ToIntFunction<String> tokenId) {
        this(
                new ImageDecoder(),
                new ImagePreprocessor(encoder.config().imageSize(), ImagePreprocessor.DEFAULT_MAX_PATCHES),
                encoder,
                tokenId);
    }

    @Override
    public Modality modality() {
        return Modality.IMAGE;
    }

    @Override
    public EncodedMedia encode(byte[] media) {
        return encode(preprocessor.preprocess(decoder.decode(media)));
    }

    /** Encodes an already preprocessed image (e.g. a video frame). */
    public EncodedMedia encode(PreprocessedImage image) {
        int tpt = encoder.config().tokensPerTile();
        float[] features = encoder.encode(image.pixelValues(), image.tiles());
        int rows = image.tiles() * tpt;
        float[] projected = encoder.project(features, rows);
        int[] tokens = layout.expand(image.rows(), image.cols(), tpt);
        return new EncodedMedia(
                tokens, layout.patchTokenId(), projected, rows, encoder.config().textHiddenSize());
    }
}
