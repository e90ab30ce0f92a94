package io.llamastream.operators.grammar;

/** A schema outside the subset the extraction grammar enforces; the message names the path. */
public class UnsupportedSchemaException extends IllegalArgumentException {
    public UnsupportedSchemaException(String message) {
        super(message);
    }
}
