package io.batchpool.contracts.vm;

public enum VmDeletionReason {
    /** The pool was resized down. */
    SCALED_DOWN,
    /** The pool was deleted. */
    POOL_DELETED,
    /** The VM stopped sending heartbeats; deleted as of its last heartbeat. */
    LOST,
    /** The VM's agent reported it stopped without being asked. */
    STOPPED
}
