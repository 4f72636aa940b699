package io.batchpool.scoring;

import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.FLOAT;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.INT64;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.N;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.STRING;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.floatsAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringsAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.OnnxGraphBuilder;
import io.batchpool.scoring.fixtures.TreeEnsembleModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

class OnnxModelValidationTest {

    @ParameterizedTest
    @EnumSource(AdultCensusModel.Variant.class)
    void theFixtureModelsValidate(AdultCensusModel.Variant variant) throws Exception {
        try (OnnxModel model = OnnxModel.load(AdultCensusModel.build(variant))) {
            model.validate();
            assertThat(model.readsProbabilityMaps()).as("ZipMap read through its input tensor").isFalse();
        }
    }

    static Stream<Arguments> treeEnsembles() {
        List<Arguments> cases = new ArrayList<>();
        for (TreeEnsembleModel model : List.of(TreeEnsembleModel.randomForest(10, 4, 1),
                TreeEnsembleModel.gradientBoosting(30, 3, 2))) {
            for (AdultCensusModel.Variant variant : AdultCensusModel.Variant.values()) {
                cases.add(Arguments.of(model, variant));
            }
        }
        return cases.stream();
    }

    /** A runtime returning {negative: -p, positive: p} for a binary forest (ONNX Runtime 1.26.0) fails this. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("treeEnsembles")
    void treeEnsemblesInTheSkl2onnxLayoutValidate(TreeEnsembleModel fixture, AdultCensusModel.Variant variant)
            throws Exception {
        try (OnnxModel model = OnnxModel.load(fixture.build(variant))) {
            model.validate();
        }
    }

    @Test
    void rejectsRawScoresThatAreNotProbabilities() throws Exception {
        try (OnnxModel model = OnnxModel.load(AdultCensusModel.buildRawScores())) {
            assertThatThrownBy(model::validate)
                    .isInstanceOf(ScoringException.class)
                    .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.INVALID_MODEL))
                    .hasMessageStartingWith("the model's class probabilities are not a distribution: for one row of its"
                            + " own schema (age=0.0, workclass='', fnlwgt=0.0, ")
                    .hasMessageContaining("it returned <=50K: 8.27")
                    .hasMessageContaining(">50K: -8.27")
                    .hasMessageEndingWith("each must be between 0 and 1 and together they must sum to 1 (within 1.0E-4)."
                            + " Raw scores are not probabilities (e.g. a classifier exported with post_transform NONE)");
        }
    }

    /** Each class through its own sigmoid: every value is between 0 and 1, but rows do not sum to 1. */
    @Test
    void rejectsRowsThatDoNotSumToOne() throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("independent_sigmoids").input("x", FLOAT, N, 1);
        graph.mlNode("LinearClassifier", List.of("x"), List.of("output_label", "output_probability"),
                floatsAttribute("coefficients", 0.5f, 0.25f), floatsAttribute("intercepts", 0, 0),
                stringsAttribute("classlabels_strings", List.of("no", "yes")), stringAttribute("post_transform", "LOGISTIC"));
        byte[] bytes = graph.output("output_label", STRING, N).output("output_probability", FLOAT, N, 2).build();
        try (OnnxModel model = OnnxModel.load(bytes)) {
            // the row of zeros gives [0.5, 0.5]; the generated rows find the fault
            assertThatThrownBy(model::validate)
                    .isInstanceOf(ScoringException.class)
                    .hasMessageStartingWith("the model's class probabilities are not a distribution: for row ")
                    .hasMessageContaining(" of 64 rows generated from its own schema (x=")
                    .hasMessageContaining(") it returned no: ");
        }
    }

    @Test
    void aSmallContractModelValidates() throws Exception {
        try (OnnxModel model = OnnxModel.load(TinyModels.binary(N, 1))) {
            model.validate();
            assertThat(model.schema().inputs()).containsExactly(new InputColumn("x", ColumnKind.NUMERIC));
        }
    }

    @Test
    void rejectsAnInputOfShapeNBy3() {
        assertInvalidModel(TinyModels.binary(N, 3),
                "input 'x' has shape [N,3]; the model contract needs shape [N,1] (one graph input per column)");
    }

    @Test
    void rejectsAFixedBatchSize() {
        assertInvalidModel(TinyModels.binary(1, 1),
                "input 'x' has the fixed batch size 1; the model contract needs shape [N,1] with a dynamic N");
    }

    @Test
    void rejectsAnInt64Input() {
        assertInvalidModel(TinyModels.classifier(new long[] {N, 1}, INT64, List.of("no", "yes"), true, true),
                "input 'x' has element type INT64; the model contract needs float (numeric column) or string"
                        + " (categorical column)");
    }

    @Test
    void rejectsAModelWithoutProbabilities() {
        assertInvalidModel(TinyModels.classifier(new long[] {N, 1}, FLOAT, List.of("no", "yes"), true, false),
                "the model has no probability output: the model contract needs a [N,2] float tensor or a ZipMap"
                        + " sequence of maps (skl2onnx's output_probability); its outputs are 'output_label' tensor(string)[N]");
    }

    @Test
    void rejectsAModelWithoutLabels() {
        assertInvalidModel(TinyModels.classifier(new long[] {N, 1}, FLOAT, List.of("no", "yes"), false, true),
                "the model has no label output: the model contract needs a [N] string or int64 tensor"
                        + " (skl2onnx's output_label); its outputs are 'output_probability' tensor(float)[N,2]");
    }

    @Test
    void rejectsThreeClasses() {
        assertInvalidModel(TinyModels.classifier(new long[] {N, 1}, FLOAT, List.of("a", "b", "c"), true, true),
                "probability output 'output_probability' has shape [N,3]: only binary classification ([N,2]) is supported");
    }

    @Test
    void rejectsBytesThatAreNotOnnx() {
        assertThatThrownBy(() -> OnnxModel.load("age,income\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ScoringException.class)
                .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.INVALID_MODEL))
                .hasMessageStartingWith("the file is not an ONNX model");
    }

    @Test
    void validateFailsForAModelThatCannotRun() throws Exception {
        try (OnnxModel model = OnnxModel.load(TinyModels.failsAtRunTime())) {
            assertThatThrownBy(model::validate)
                    .isInstanceOf(ScoringException.class)
                    .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.INVALID_MODEL))
                    .hasMessageStartingWith("the model failed to score one row of its own schema (0 for numeric columns,"
                            + " empty strings for categorical ones): ONNX Runtime failed to score a batch of 1 rows:");
        }
    }

    private static void assertInvalidModel(byte[] model, String message) {
        assertThatThrownBy(() -> OnnxModel.load(model))
                .isInstanceOf(ScoringException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.INVALID_MODEL));
    }
}
