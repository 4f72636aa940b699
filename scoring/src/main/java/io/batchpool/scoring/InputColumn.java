package io.batchpool.scoring;

import java.util.Objects;

/** One graph input of the model = one column of the input CSV. */
public record InputColumn(String name, ColumnKind kind) {
    public InputColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }
}
