package io.batchpool.scoring;

/** How an input column is fed to the model. */
public enum ColumnKind {
    /** A float tensor {@code [N,1]} (double is accepted too); the CSV cell must be a number. */
    NUMERIC,
    /** A string tensor {@code [N,1]}; the CSV cell is passed exactly as it is (no trimming). */
    CATEGORICAL
}
