package io.batchpool.scoring;

import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.FLOAT;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.N;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.STRING;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.floatsAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.intAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringsAttribute;

import io.batchpool.scoring.fixtures.OnnxGraphBuilder;

import java.util.List;

/** Small models, most of them breaking the model contract in one way. */
final class TinyModels {

    private TinyModels() {
    }

    /** A classifier over one float input {@code x} of the given shape; {@code classes} string labels. */
    static byte[] classifier(long[] inputShape, int inputType, List<String> classes, boolean withLabel,
                             boolean withProbabilities) {
        int features = (int) inputShape[inputShape.length - 1];
        OnnxGraphBuilder graph = new OnnxGraphBuilder("tiny").input("x", inputType, inputShape);
        String features2d = "x";
        if (inputType != FLOAT) {
            graph.node("Cast", List.of("x"), List.of("x_float"), intAttribute("to", FLOAT));
            features2d = "x_float";
        }
        // class 0 gets -w and the others k·w, so two classes give [1 - p, p] as skl2onnx's binary LR does
        float[] coefficients = new float[classes.size() * features];
        for (int k = 0; k < classes.size(); k++) {
            for (int j = 0; j < features; j++) {
                coefficients[k * features + j] = (k == 0 ? -1f : k) * (1 + j) / 10f;
            }
        }
        float[] intercepts = new float[classes.size()];
        graph.mlNode("LinearClassifier", List.of(features2d), List.of("output_label", "output_probability"),
                floatsAttribute("coefficients", coefficients), floatsAttribute("intercepts", intercepts),
                stringsAttribute("classlabels_strings", classes), stringAttribute("post_transform", "LOGISTIC"));
        if (withLabel) {
            graph.output("output_label", STRING, N);
        }
        if (withProbabilities) {
            graph.output("output_probability", FLOAT, N, classes.size());
        }
        return graph.build();
    }

    static byte[] binary(long... inputShape) {
        return classifier(inputShape, FLOAT, List.of("no", "yes"), true, true);
    }

    /** Loads (the batch dimension is symbolic) but cannot run: reshapes every batch to [1,3]. */
    static byte[] failsAtRunTime() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("fails").input("x", FLOAT, N, 1)
                .int64Initializer("shape", new long[] {1, 3}, 2)
                .node("Reshape", List.of("x", "shape"), List.of("x3"));
        graph.mlNode("LinearClassifier", List.of("x3"), List.of("output_label", "output_probability"),
                floatsAttribute("coefficients", 1, 2, 3, -1, -2, -3), floatsAttribute("intercepts", 0, 0),
                stringsAttribute("classlabels_strings", List.of("no", "yes")), stringAttribute("post_transform", "LOGISTIC"));
        return graph.output("output_label", STRING, N).output("output_probability", FLOAT, N, 2).build();
    }
}
