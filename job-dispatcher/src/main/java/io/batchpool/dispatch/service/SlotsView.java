package io.batchpool.dispatch.service;

import io.batchpool.dispatch.domain.PoolCapacity;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The capacity of every pool as last published by the consumer thread that owns the board: HTTP threads read
 * these immutable snapshots and never touch the board.
 */
@ApplicationScoped
public class SlotsView {
    private final ConcurrentMap<String, PoolCapacity> pools = new ConcurrentHashMap<>();

    public void put(PoolCapacity capacity) {
        pools.put(capacity.poolId(), capacity);
    }

    public Optional<PoolCapacity> get(String poolId) {
        return Optional.ofNullable(pools.get(poolId));
    }

    public int size() {
        return pools.size();
    }
}
