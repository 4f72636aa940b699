package io.batchpool.gateway.domain;

import java.util.Objects;

/**
 * A web service parameter (Azure's {@code GlobalParameters}): a job may set it; without a default a job must set it.
 */
public record ServiceParameter(String name, String defaultValue) {
    public ServiceParameter {
        Objects.requireNonNull(name, "name");
    }

    public boolean required() {
        return defaultValue == null;
    }
}
