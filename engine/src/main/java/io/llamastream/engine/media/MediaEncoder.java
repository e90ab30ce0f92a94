package io.llamastream.engine.media;

/**
 * Turns the bytes of one media item into prompt tokens plus the embeddings that fill their
 * placeholders. The text decoder depends only on this interface and {@link EncodedMedia}, so a
 * new modality (audio) is a new implementation, not a decoder change.
 */
public interface MediaEncoder {
    /** The modality this encoder accepts. */
    Modality modality();

    /** Encodes one item; malformed input fails with a typed exception (e.g. {@link ImageDecodeException}). */
    EncodedMedia encode(byte[] media);
}
