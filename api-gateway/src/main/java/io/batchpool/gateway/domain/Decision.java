package io.batchpool.gateway.domain;

/**
 * What the admission rules decided about a request: a command to record (and relay), nothing to do, or a
 * rejection. Deciding changes nothing; the caller applies an accepted command to its state.
 */
public sealed interface Decision<C> {

    record Accepted<C>(C command) implements Decision<C> {
    }

    /** The request is valid but already satisfied (e.g. a repeated delete): answer it, record nothing. */
    record Unchanged<C>() implements Decision<C> {
    }

    record Rejected<C>(Rejection rejection) implements Decision<C> {
    }

    static <C> Decision<C> accept(C command) {
        return new Accepted<>(command);
    }

    static <C> Decision<C> unchanged() {
        return new Unchanged<>();
    }

    static <C> Decision<C> reject(ErrorCode code, String message) {
        return new Rejected<>(new Rejection(code, message));
    }
}
