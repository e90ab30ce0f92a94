package io.llamastream.engine.sampling;

/** Receives each generated token as soon as it is chosen (for streaming output). */
@FunctionalInterface
public interface TokenListener {
    void onToken(int token);

    TokenListener NONE = token -> {};
}
