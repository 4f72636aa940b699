package io.batchpool.gateway.publisher;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.service.ServiceModelEvent;
import io.batchpool.gateway.store.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;

/**
 * Records a command (or a published model) in the outbox inside the caller's transaction: it reaches Kafka if and
 * only if the change it announces commits. Rows of every topic are relayed in one order, the order of their ids.
 */
@ApplicationScoped
public class OutboxWriter {
    private static final EventCodec<PoolCommand> POOL_COMMANDS = new EventCodec<>(PoolCommand.class);
    private static final EventCodec<JobCommand> JOB_COMMANDS = new EventCodec<>(JobCommand.class);
    private static final EventCodec<ServiceModelEvent> MODELS = new EventCodec<>(ServiceModelEvent.class);

    private final Event<OutboxWritten> written;

    @Inject
    public OutboxWriter(Event<OutboxWritten> written) {
        this.written = written;
    }

    /** @param sequence the pool's version after the command: pool-manager applies each version once, in order */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(PoolCommand command, long sequence, Instant now) {
        write(Topics.POOL_COMMANDS, command, POOL_COMMANDS.encode(Envelope.of(command, sequence, now)), now);
    }

    /** @param sequence the job's command count after this one (SubmitJob = 1); the dispatcher judges each by state */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(JobCommand command, long sequence, Instant now) {
        write(Topics.JOB_COMMANDS, command, JOB_COMMANDS.encode(Envelope.of(command, sequence, now)), now);
    }

    /**
     * A job command encoded as its outbox row, for a caller that writes rows itself (the admission pipeline writes
     * a group's rows in one statement; see {@code AdmissionPipeline}).
     */
    public static OutboxRow row(JobCommand command, long sequence, Instant now) {
        return new OutboxRow(Topics.JOB_COMMANDS, command.key(), JOB_COMMANDS.encode(Envelope.of(command, sequence, now)),
                now);
    }

    /** @param sequence the model's version number */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(ServiceModelEvent event, long sequence, Instant now) {
        write(Topics.SERVICE_MODELS, event, MODELS.encode(Envelope.of(event, sequence, now)), now);
    }

    private void write(String topic, Message message, byte[] payload, Instant now) {
        OutboxEntity row = new OutboxEntity();
        row.topic = topic;
        row.recordKey = message.key();
        row.payload = payload;
        row.createdAt = now;
        row.persist();
        written.fire(new OutboxWritten());
    }
}
