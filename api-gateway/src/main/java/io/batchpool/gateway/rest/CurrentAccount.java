package io.batchpool.gateway.rest;

import jakarta.enterprise.context.RequestScoped;

/** The account whose key authenticated the current pool API request (set by {@link AuthFilter}). */
@RequestScoped
public class CurrentAccount {
    private String accountId;

    void set(String accountId) {
        this.accountId = accountId;
    }

    public String id() {
        if (accountId == null) {
            throw new IllegalStateException("request was not authenticated");
        }
        return accountId;
    }
}
