package io.batchpool.gateway.publisher;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.gateway.store.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;

/**
 * Records a pool command in the outbox inside the caller's transaction: it reaches Kafka if and only if the
 * change it announces commits.
 */
@ApplicationScoped
public class OutboxWriter {
    private static final EventCodec<PoolCommand> CODEC = new EventCodec<>(PoolCommand.class);

    private final Event<OutboxWritten> written;

    @Inject
    public OutboxWriter(Event<OutboxWritten> written) {
        this.written = written;
    }

    /** @param sequence the pool's version after the command: pool-manager applies each version once, in order */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(PoolCommand command, long sequence, Instant now) {
        OutboxEntity row = new OutboxEntity();
        row.topic = Topics.POOL_COMMANDS;
        row.recordKey = command.poolId();
        row.payload = CODEC.encode(Envelope.of(command, sequence, now));
        row.createdAt = now;
        row.persist();
        written.fire(new OutboxWritten());
    }
}
