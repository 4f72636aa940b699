package io.batchpool.pool.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "batchpool.pool-manager")
public interface PoolManagerConfig {
    /** A VM whose agent is silent this long is declared lost (deleted as of its last heartbeat). */
    @WithDefault("PT10S")
    Duration heartbeatTimeout();

    /** A VM that has not booted this long after it was requested is given up and replaced. */
    @WithDefault("PT5M")
    Duration provisionTimeout();

    /** How often lost VMs are looked for. */
    @WithDefault("PT0.5S")
    Duration tickInterval();

    /** Stable id of this instance: its transactional id is derived from it (a restarted instance fences its zombie). */
    @WithName("instance-id")
    Optional<String> instanceId();
}
