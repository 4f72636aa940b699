package io.batchpool.gateway.domain;

import java.util.Objects;

/** Why a request is refused: a code a program can act on and a message a person can read. */
public record Rejection(ErrorCode code, String message) {
    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
