package io.batchpool.scoring;

/**
 * Why scoring (or loading a model) stopped. The message is written for the end user: it says exactly what is wrong
 * and where (line number, column name, value), so the vm-agent can put it in a job's {@code Details} as it is.
 */
public class ScoringException extends Exception {

    /** What kind of failure this is, so a caller can map it (e.g. {@code CANCELLED} to a cancelled job). */
    public enum Reason {
        /** The input CSV does not fit the model's schema or cannot be parsed. */
        INVALID_INPUT,
        /** The model does not follow the model contract, cannot be loaded, or fails when run. */
        INVALID_MODEL,
        /** The cancellation flag was raised; scoring stopped between two batches. */
        CANCELLED,
        /** The deadline passed; scoring stopped between two batches. */
        DEADLINE_EXCEEDED
    }

    private final Reason reason;

    public ScoringException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ScoringException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static ScoringException input(String message) {
        return new ScoringException(Reason.INVALID_INPUT, message);
    }

    static ScoringException model(String message) {
        return new ScoringException(Reason.INVALID_MODEL, message);
    }

    static ScoringException model(String message, Throwable cause) {
        return new ScoringException(Reason.INVALID_MODEL, message, cause);
    }
}
