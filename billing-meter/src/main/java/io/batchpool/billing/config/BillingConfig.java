package io.batchpool.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration under {@code batchpool.*} (the broker address is {@code kafka.bootstrap.servers}). */
@ConfigMapping(prefix = "batchpool")
public interface BillingConfig {

    /** The operator key that authorizes the usage API ({@code Authorization: Bearer <key>}). */
    @WithDefault("operator-dev-key")
    String operatorKey();

    Kafka kafka();

    interface Kafka {
        /** Replication factor of topics this service creates when they are missing. */
        @WithDefault("1")
        short replicationFactor();

        /** Consumer group of the VM-events consumer; instances of billing-meter share it to split partitions. */
        @WithDefault("billing-meter")
        String groupId();

        /**
         * Static group membership: a restarted instance with the same id takes its partitions back at once instead
         * of waiting for the dead member's session to time out. Keep it stable per instance (pod name).
         */
        java.util.Optional<String> instanceId();
    }
}
