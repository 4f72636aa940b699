package io.batchpool.billing.domain;

/** What a usage query adds up: the VMs of one pool, of one billing plan, or of one account. */
public enum UsageScope {
    POOL("pool"),
    PLAN("plan"),
    ACCOUNT("account");

    private final String wireName;

    UsageScope(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in API responses ({@code "scope":"pool"}). */
    public String wireName() {
        return wireName;
    }
}
