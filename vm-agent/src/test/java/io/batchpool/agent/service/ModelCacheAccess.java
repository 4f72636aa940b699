package io.batchpool.agent.service;

import java.nio.file.Path;
import java.time.Duration;

/** Builds a {@link ModelCache} outside CDI for the unit tests of other packages. */
public final class ModelCacheAccess {
    private ModelCacheAccess() {
    }

    public static ModelCache cache(Path root) {
        return new ModelCache(root, 2, Duration.ZERO);
    }
}
