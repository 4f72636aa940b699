package io.batchpool.gateway.domain;

import java.util.Objects;

/** An input column of a web service's model: its name and {@code numeric} or {@code categorical}. */
public record ModelInput(String name, String type) {
    public static final String NUMERIC = "numeric";
    public static final String CATEGORICAL = "categorical";

    public ModelInput {
        Objects.requireNonNull(name, "name");
        if (!NUMERIC.equals(type) && !CATEGORICAL.equals(type)) {
            throw new IllegalArgumentException("type must be numeric or categorical: " + type);
        }
    }
}
