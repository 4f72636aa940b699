package io.batchpool.dispatch.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The broker: {@code kafka.bootstrap.servers} and the replication factor of topics this service creates. */
@ConfigMapping(prefix = "batchpool.kafka")
public interface KafkaConfig {
    @WithDefault("1")
    short replicationFactor();
}
