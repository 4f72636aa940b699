package io.batchpool.gateway.it;

import ai.onnx.proto.OnnxMl;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.OnnxGraphBuilder;
import io.batchpool.scoring.fixtures.TreeEnsembleModel;

import java.util.Base64;
import java.util.List;

import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.FLOAT;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.N;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.STRING;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.floatsAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringsAttribute;

/** Models for the registry tests, built in memory. */
final class Models {
    static final byte[] ADULT_TENSOR = AdultCensusModel.build(AdultCensusModel.Variant.TENSOR);
    static final byte[] ADULT_ZIPMAP = AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP);
    /** skl2onnx's binary random forest (TreeEnsembleClassifier + ZipMap): probabilities [1 - p, p]. */
    static final byte[] FOREST = TreeEnsembleModel.randomForest(10, 4, 1).build(AdultCensusModel.Variant.ZIPMAP);
    static final byte[] BOOSTING_INT64 = TreeEnsembleModel.gradientBoosting(30, 3, 2)
            .build(AdultCensusModel.Variant.INT64_LABELS);
    /** Breaks the contract: raw scores [-z, z] (post_transform NONE) where probabilities belong. */
    static final byte[] RAW_SCORES = AdultCensusModel.buildRawScores();
    /** Breaks the contract: each probability between 0 and 1, but a row's two do not sum to 1. */
    static final byte[] UNNORMALIZED = AdultCensusModel.buildUnnormalized();

    private Models() {
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Breaks the contract: one input {@code x} of shape [N,3] instead of one [N,1] input per column. */
    static byte[] threeColumnInput() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("bad").input("x", FLOAT, N, 3);
        graph.mlNode("LinearClassifier", List.of("x"), List.of("output_label", "output_probability"),
                floatsAttribute("coefficients", 1, 2, 3, -1, -2, -3), floatsAttribute("intercepts", 0, 0),
                stringsAttribute("classlabels_strings", List.of("no", "yes")), stringAttribute("post_transform", "LOGISTIC"));
        return graph.output("output_label", STRING, N).output("output_probability", FLOAT, N, 2).build();
    }

    /** The Adult Census model with a doc string that makes it about {@code bytes} large. */
    static byte[] padded(int bytes) throws Exception {
        return OnnxMl.ModelProto.parseFrom(ADULT_TENSOR).toBuilder().setDocString("x".repeat(bytes)).build().toByteArray();
    }
}
