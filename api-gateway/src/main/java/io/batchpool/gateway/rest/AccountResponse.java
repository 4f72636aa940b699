package io.batchpool.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.batchpool.gateway.service.AccountService.AccountWithUsage;

import java.time.Instant;

/**
 * An account as the operator sees it. {@code authorizationKey} is present only in the answers that create or
 * rotate it: it is stored only as a hash.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccountResponse(String accountId, String name, int maxPools, int maxVmsPerPool, boolean disabled,
                              Instant createdAt, Instant updatedAt, String poolServiceUrl, Usage usage,
                              String authorizationKey) {

    /** What the account uses now: pools counting towards maxPools and the VMs they target. */
    public record Usage(long pools, long vmsTargeted) {
    }

    static AccountResponse of(AccountWithUsage a, String publicUrl, String key) {
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        return new AccountResponse(a.account().id, a.account().name, a.account().maxPools, a.account().maxVmsPerPool,
                a.account().disabled, a.account().createdAt, a.account().updatedAt,
                base + "/subscriptions/" + a.account().id, new Usage(a.pools(), a.vmsTargeted()), key);
    }
}
