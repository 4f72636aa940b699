package io.batchpool.contracts;

/** A record that is not a known, well-formed message of its topic. Consumers count it and skip it. */
public class DecodeException extends RuntimeException {
    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
