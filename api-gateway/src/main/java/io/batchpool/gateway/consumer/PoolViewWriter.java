package io.batchpool.gateway.consumer;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.pool.PoolDeleted;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.pool.PoolStatusChanged;
import io.batchpool.gateway.domain.PoolStatus;
import io.batchpool.gateway.store.PoolEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;

/**
 * Turns pool events into versioned updates of the pool view ({@code ... where view_sequence < sequence}), so a
 * replayed or older event changes nothing. The view never moves a pool's state backwards: the gateway's own
 * DELETING stays even if a status snapshot taken before the delete arrives later.
 */
@ApplicationScoped
public class PoolViewWriter {

    /** Applies a batch in one transaction; returns how many events changed a row. */
    @Transactional
    public int apply(List<Envelope<PoolEvent>> events) {
        int changed = 0;
        for (Envelope<PoolEvent> event : events) {
            changed += apply(event);
        }
        return changed;
    }

    private int apply(Envelope<PoolEvent> event) {
        Instant now = Instant.now();
        if (event.data() instanceof PoolStatusChanged s) {
            int changed = PoolEntity.update("vmsProvisioning = ?1, vmsReady = ?2, vmsDraining = ?3, "
                            + "viewSequence = ?4, updatedAt = ?5 where id = ?6 and viewSequence < ?4",
                    s.vmsProvisioning(), s.vmsReady(), s.vmsDraining(), event.sequence(), now, s.poolId());
            if (s.state() == PoolState.DELETED) {
                changed += markDeleted(s.poolId(), now);
            }
            return changed;
        }
        if (event.data() instanceof PoolDeleted d) {
            // terminal, whatever its sequence: a deleted pool has no VMs left
            return markDeleted(d.poolId(), now);
        }
        return 0; // PoolCreated, PoolResized, PoolDeletionStarted: the gateway recorded them itself
    }

    private static int markDeleted(String poolId, Instant now) {
        return PoolEntity.update("state = ?1, vmsProvisioning = 0, vmsReady = 0, vmsDraining = 0, updatedAt = ?2 "
                + "where id = ?3 and state <> ?1", PoolStatus.DELETED, now, poolId);
    }
}
