package io.batchpool.gateway.domain;

import java.util.Optional;

/**
 * An account's quotas. {@code maxPools} counts the pools that are not being deleted; {@code maxVmsPerPool}
 * bounds each pool's target size.
 */
public record AccountLimits(int maxPools, int maxVmsPerPool) {
    public static final int MAX_POOLS_CEILING = 1000;
    public static final int MAX_VMS_PER_POOL_CEILING = 10_000;

    public AccountLimits {
        validate(maxPools, maxVmsPerPool).ifPresent(r -> {
            throw new IllegalArgumentException(r.message());
        });
    }

    /** Checks operator input; {@code null} means "not given" (allowed in a patch). */
    public static Optional<Rejection> validate(Integer maxPools, Integer maxVmsPerPool) {
        if (maxPools != null && (maxPools < 0 || maxPools > MAX_POOLS_CEILING)) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest,
                    "maxPools must be an integer from 0 to " + MAX_POOLS_CEILING));
        }
        if (maxVmsPerPool != null && (maxVmsPerPool < 0 || maxVmsPerPool > MAX_VMS_PER_POOL_CEILING)) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest,
                    "maxVmsPerPool must be an integer from 0 to " + MAX_VMS_PER_POOL_CEILING));
        }
        return Optional.empty();
    }

    /** A copy with the given values replaced ({@code null} keeps the current one). */
    public AccountLimits with(Integer newMaxPools, Integer newMaxVmsPerPool) {
        return new AccountLimits(newMaxPools != null ? newMaxPools : maxPools,
                newMaxVmsPerPool != null ? newMaxVmsPerPool : maxVmsPerPool);
    }
}
