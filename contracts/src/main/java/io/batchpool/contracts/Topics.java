package io.batchpool.contracts;

import java.util.List;
import java.util.Map;

/**
 * Every Kafka topic of Batchpool: the public, versioned contract for services that integrate at topic level.
 *
 * <p>Records are keyed by their ordering unit. All pool traffic (commands, pool events, VM events, VM reports)
 * is keyed by pool id and the topics have the same partition count, so one partition owner sees a pool's whole
 * story in order. Provisioner commands are keyed by VM id. A topic name ends in its major version: an
 * incompatible change makes a new topic; compatible changes add optional fields (see {@link Envelope}).
 */
public final class Topics {
    private Topics() {
    }

    /** Partition count of every pool-keyed topic; they must be equal so that a pool's topics are co-partitioned. */
    public static final int POOL_PARTITIONS = 6;

    /** {@link io.batchpool.contracts.pool.PoolCommand}: api-gateway (outbox) to pool-manager. Key: pool id. */
    public static final String POOL_COMMANDS = "batchpool.pool-commands.v1";
    /** {@link io.batchpool.contracts.pool.PoolEvent}: pool-manager to everyone. Key: pool id. */
    public static final String POOL_EVENTS = "batchpool.pool-events.v1";
    /** {@link io.batchpool.contracts.vm.VmEvent}: VM lifecycle decided by pool-manager (billing's input). Key: pool id. */
    public static final String VM_EVENTS = "batchpool.vm-events.v1";
    /** {@link io.batchpool.contracts.vm.ProvisionerCommand}: pool-manager to the provisioner (vm-agent). Key: VM id. */
    public static final String PROVISIONER_COMMANDS = "batchpool.provisioner-commands.v1";
    /** {@link io.batchpool.contracts.vm.VmReport}: what VM agents say about themselves (booted, heartbeat, stopped). Key: pool id. */
    public static final String VM_REPORTS = "batchpool.vm-reports.v1";

    /** {@link io.batchpool.contracts.job.JobCommand}: api-gateway to job-dispatcher. Key: pool id (classic jobs: the classic pool id). */
    public static final String JOB_COMMANDS = "batchpool.job-commands.v1";
    /** {@link io.batchpool.contracts.job.JobEvent}: job-dispatcher's decisions about jobs (the gateway's job views). Key: pool id. */
    public static final String JOB_EVENTS = "batchpool.job-events.v1";
    /** {@link io.batchpool.contracts.job.Assignment}: job-dispatcher to one VM agent. Key: VM id. */
    public static final String ASSIGNMENTS = "batchpool.assignments.v1";
    /** {@link io.batchpool.contracts.job.JobReport}: what a VM agent says about an attempt it runs. Key: pool id. */
    public static final String JOB_REPORTS = "batchpool.job-reports.v1";
    /** {@link io.batchpool.contracts.job.SlotEvent}: job-dispatcher tells pool-manager which VMs are busy. Key: pool id. */
    public static final String SLOT_EVENTS = "batchpool.slot-events.v1";

    /**
     * {@link io.batchpool.contracts.service.ServiceModelEvent}: api-gateway (outbox) to every VM agent, the models of
     * registered web services. Key: {@code serviceId:version}. Compacted (one record per version, kept forever);
     * records are as large as a model (up to 64 MiB, base64), hence the raised {@code max.message.bytes}.
     */
    public static final String SERVICE_MODELS = "batchpool.service-models.v1";
    /** The largest record of {@link #SERVICE_MODELS}: a 64 MiB model in base64 plus its envelope. */
    public static final int SERVICE_MODELS_MAX_MESSAGE_BYTES = 90 * 1024 * 1024;

    /** Kept forever: topics that hold history other services rebuild their state from. */
    private static final Map<String, String> HISTORY = Map.of("cleanup.policy", "delete", "retention.ms", "-1");
    /** Heartbeats are only interesting while fresh. */
    private static final Map<String, String> TRANSIENT = Map.of("cleanup.policy", "delete", "retention.ms", "86400000");

    public record TopicSpec(String name, int partitions, Map<String, String> config) {
    }

    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(POOL_COMMANDS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(POOL_EVENTS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(VM_EVENTS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(PROVISIONER_COMMANDS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(VM_REPORTS, POOL_PARTITIONS, TRANSIENT),
            new TopicSpec(JOB_COMMANDS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(JOB_EVENTS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(ASSIGNMENTS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(JOB_REPORTS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(SLOT_EVENTS, POOL_PARTITIONS, HISTORY),
            new TopicSpec(SERVICE_MODELS, 1, Map.of("cleanup.policy", "compact",
                    "max.message.bytes", Integer.toString(SERVICE_MODELS_MAX_MESSAGE_BYTES))));
}
