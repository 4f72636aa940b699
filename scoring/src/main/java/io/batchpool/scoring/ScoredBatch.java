package io.batchpool.scoring;

/** What the model returned for the rows of an {@link InputBatch}; reused from batch to batch. */
public final class ScoredBatch {

    private final String[] labels;
    private final float[] probabilities;
    private int size;

    public ScoredBatch(int capacity) {
        this.labels = new String[capacity];
        this.probabilities = new float[capacity];
    }

    public int size() {
        return size;
    }

    /** The label as the model returned it ({@code Scored Labels}); int64 labels in decimal. */
    public String label(int row) {
        checkRow(row);
        return labels[row];
    }

    /** Probability of the positive (second) class ({@code Scored Probabilities}), as the model returned it. */
    public float probability(int row) {
        checkRow(row);
        return probabilities[row];
    }

    int capacity() {
        return labels.length;
    }

    void setLabel(int row, String label) {
        labels[row] = label;
    }

    void setProbability(int row, float probability) {
        probabilities[row] = probability;
    }

    void size(int rows) {
        this.size = rows;
    }

    private void checkRow(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row " + row + " of " + size);
        }
    }
}
