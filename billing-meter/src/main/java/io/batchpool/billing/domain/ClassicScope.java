package io.batchpool.billing.domain;

/** What a classic usage query adds up: the runs of one account's jobs, or of one web service's jobs. */
public enum ClassicScope {
    ACCOUNT("account"),
    SERVICE("service");

    private final String wireName;

    ClassicScope(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in API responses ({@code "scope":"account"}). */
    public String wireName() {
        return wireName;
    }
}
