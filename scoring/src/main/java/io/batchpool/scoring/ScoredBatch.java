package io.batchpool.scoring;

/** What the model returned for the rows of an {@link InputBatch}; reused from batch to batch. */
public final class ScoredBatch {

    private final String[] labels;
    private final float[] probabilities;
    /** The first class's probabilities: not written to the output, read by the model check. */
    private final float[] negativeProbabilities;
    private int size;

    public ScoredBatch(int capacity) {
        this.labels = new String[capacity];
        this.probabilities = new float[capacity];
        this.negativeProbabilities = new float[capacity];
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

    /** Probability of the negative (first) class, as the model returned it. */
    float negativeProbability(int row) {
        checkRow(row);
        return negativeProbabilities[row];
    }

    int capacity() {
        return labels.length;
    }

    void setLabel(int row, String label) {
        labels[row] = label;
    }

    void setProbabilities(int row, float negative, float positive) {
        negativeProbabilities[row] = negative;
        probabilities[row] = positive;
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
