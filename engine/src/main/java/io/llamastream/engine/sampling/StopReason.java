package io.llamastream.engine.sampling;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced one of its end-of-sequence tokens. */
    EOS,
    /** The reply reached {@code max_tokens}. */
    MAX_TOKENS,
    /** The caller cancelled the request. */
    CANCELLED
}
