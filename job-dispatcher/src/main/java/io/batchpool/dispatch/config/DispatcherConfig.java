package io.batchpool.dispatch.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How job-dispatcher reads the log. */
@ConfigMapping(prefix = "batchpool.job-dispatcher")
public interface DispatcherConfig {
    /**
     * Group id of its consumers. VM events are read by manual assignment from the beginning (state is rebuilt
     * from the log), so no offsets are committed under it today.
     */
    @WithDefault("job-dispatcher")
    String groupId();
}
