package io.batchpool.billing.domain;

/** A well-formed classic job event that lacks what metering needs (e.g. no account or no start time). */
public class InvalidJobEvent extends RuntimeException {
    public InvalidJobEvent(String message) {
        super(message);
    }
}
