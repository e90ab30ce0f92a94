package io.llamastream.engine.media;

/** A kind of non-text input a request may carry. */
public enum Modality {
    IMAGE,
    VIDEO,
    AUDIO
}
