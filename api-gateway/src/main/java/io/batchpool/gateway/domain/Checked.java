package io.batchpool.gateway.domain;

/** A value that passed its checks, or the rejection that says why it did not. */
public sealed interface Checked<T> {
    record Ok<T>(T value) implements Checked<T> {
    }

    record Rejected<T>(Rejection rejection) implements Checked<T> {
    }

    static <T> Checked<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Checked<T> rejected(Rejection rejection) {
        return new Rejected<>(rejection);
    }

    static <T> Checked<T> rejected(ErrorCode code, String message) {
        return new Rejected<>(new Rejection(code, message));
    }
}
