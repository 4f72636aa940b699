package io.batchpool.gateway.domain;

/**
 * A pool's life as the gateway admits it. The gateway moves a pool to DELETING when it accepts the delete; the
 * view moves it to DELETED when pool-manager reports the last VM gone. States only move forward.
 *
 * <ul>
 *   <li>ACTIVE: resize and delete accepted; counts towards {@code maxPools}.</li>
 *   <li>DELETING: resize refused ({@link ErrorCode#PoolDeleting}); a repeated delete is a no-op unless it is
 *       forced; visible in list and get; no longer counts towards {@code maxPools}.</li>
 *   <li>DELETED: invisible (404 {@link ErrorCode#PoolNotFound}).</li>
 * </ul>
 */
public enum PoolStatus {
    ACTIVE("Active"), DELETING("Deleting"), DELETED("Deleted");

    private final String wireName;

    PoolStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the pool JSON ({@code "state": "Active"}). */
    public String wireName() {
        return wireName;
    }

    /** The later of two states: views may report a state the gateway has not set, never an earlier one. */
    public PoolStatus advanceTo(PoolStatus reported) {
        return reported.ordinal() > ordinal() ? reported : this;
    }
}
