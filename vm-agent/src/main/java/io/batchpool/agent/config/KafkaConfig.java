package io.batchpool.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The broker: {@code kafka.bootstrap.servers} and the replication factor of topics this service creates. */
@ConfigMapping(prefix = "batchpool.kafka")
public interface KafkaConfig {
    @WithName("replication-factor")
    @WithDefault("1")
    short replicationFactor();
}
