package io.llamastream.operators;

import io.llamastream.engine.media.ImageDecodeException;
import io.llamastream.engine.media.ImageDecoder;
import io.llamastream.engine.media.ImagePreprocessor;
import io.llamastream.engine.media.PreprocessedImage;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.tasks.RejectedRequestException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Turns a request's base64 images (video frames included, in order) into preprocessed tiles,
 * mapping decoder failures to dead-letter codes: a header over the pixel limit is
 * IMAGE_TOO_LARGE, anything else that does not decode is UNDECODABLE_IMAGE.
 */
public final class ImageInputs {
    private final ImageDecoder decoder;
    private final ImagePreprocessor preprocessor;

    public ImageInputs(long maxPixels, int tileSize) {
        this.decoder = new ImageDecoder(maxPixels);
        this.preprocessor = new ImagePreprocessor(tileSize, ImagePreprocessor.DEFAULT_MAX_PATCHES);
    }

    public List<PreprocessedImage> preprocess(String[] imagesBase64) throws RejectedRequestException {
        List<PreprocessedImage> out = new ArrayList<>(imagesBase64.length);
        for (int i = 0; i < imagesBase64.length; i++) {
            try {
                out.add(preprocessor.preprocess(
                        decoder.decode(Base64.getDecoder().decode(imagesBase64[i]))));
            } catch (ImageDecodeException e) {
                ErrorCode code = e.reason() == ImageDecodeException.Reason.TOO_LARGE
                        ? ErrorCode.IMAGE_TOO_LARGE
                        : ErrorCode.UNDECODABLE_IMAGE;
                throw new RejectedRequestException(code, "image " + i + ": " + e.getMessage());
            }
        }
        return out;
    }
}
