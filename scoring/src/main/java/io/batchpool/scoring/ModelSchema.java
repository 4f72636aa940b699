package io.batchpool.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model following the Batchpool model contract (DESIGN.md §3, the scikit-learn → ONNX / skl2onnx convention)
 * reads and returns.
 *
 * <ul>
 *   <li>{@code inputs}: one graph input per input column, named as the column, in the graph's order;</li>
 *   <li>{@code labelOutput}: a {@code [N]} string or int64 tensor, the predicted class;</li>
 *   <li>{@code probabilityOutput}: a {@code [N,2]} float tensor or a ZipMap sequence of maps (class → probability);</li>
 *   <li>{@code classLabels}: the classes in the model's order when the graph names them (LinearClassifier,
 *       tree ensembles, ZipMap), else empty. The positive class is the second one.</li>
 * </ul>
 */
public record ModelSchema(
        List<InputColumn> inputs,
        String labelOutput,
        LabelType labelType,
        String probabilityOutput,
        ProbabilityKind probabilityKind,
        List<String> classLabels) {

    /** The only output kind the contract has today: {@code Scored Labels} and {@code Scored Probabilities}. */
    public enum OutputKind { BINARY_CLASSIFICATION }

    public enum LabelType { STRING, INT64 }

    public enum ProbabilityKind {
        /** A {@code [N,2]} float tensor; column 1 is the positive class. */
        TENSOR,
        /** {@code seq(map(string|int64 -> float))}, as skl2onnx's ZipMap makes it. */
        ZIPMAP
    }

    public ModelSchema {
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(labelOutput, "labelOutput");
        Objects.requireNonNull(labelType, "labelType");
        Objects.requireNonNull(probabilityOutput, "probabilityOutput");
        Objects.requireNonNull(probabilityKind, "probabilityKind");
        classLabels = List.copyOf(classLabels);
    }

    public OutputKind outputKind() {
        return OutputKind.BINARY_CLASSIFICATION;
    }

    /** The column names the input CSV must have, in the model's order. */
    public List<String> columnNames() {
        List<String> names = new ArrayList<>(inputs.size());
        for (InputColumn input : inputs) {
            names.add(input.name());
        }
        return names;
    }

    /** The positive class (the second class), when the model names its classes. */
    public Optional<String> positiveClass() {
        return classLabels.size() == 2 ? Optional.of(classLabels.get(1)) : Optional.empty();
    }
}
