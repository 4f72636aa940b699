package io.batchpool.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration under {@code batchpool.*} (the broker address is {@code kafka.bootstrap.servers}). */
@ConfigMapping(prefix = "batchpool")
public interface BillingConfig {

    /** The operator key that authorizes the usage API ({@code Authorization: Bearer <key>}). */
    @WithDefault("operator-dev-key")
    String operatorKey();

    /**
     * Queue id of the shared classic pool (jobs without {@code AzureBatchPoolId}): job events of this queue are
     * metered as classic run time. The same value as job-dispatcher's {@code classic-queue-id}.
     */
    @WithDefault("00000000000000000000000000c1a551")
    String classicQueueId();

    Kafka kafka();

    interface Kafka {
        /** Replication factor of topics this service creates when they are missing. */
        @WithDefault("1")
        short replicationFactor();

        /** Consumer group of the events consumer; instances of billing-meter share it to split partitions. */
        @WithDefault("billing-meter")
        String groupId();

        /**
         * Static group membership: a restarted instance with the same id takes its partitions back at once instead
         * of waiting for the dead member's session to time out. Keep it stable per instance (pod name).
         */
        java.util.Optional<String> instanceId();
    }
}
