package io.batchpool.billing.domain;

/** A well-formed VM event that lacks what billing needs (e.g. no VM id or no provisioning time). */
public class InvalidVmEvent extends RuntimeException {
    public InvalidVmEvent(String message) {
        super(message);
    }
}
