package io.batchpool.scoring;

import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.FLOAT;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.N;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.STRING;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.floatsAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.intAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.intsAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringAttribute;
import static io.batchpool.scoring.fixtures.OnnxGraphBuilder.stringsAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.AdultCensusModel.Variant;
import io.batchpool.scoring.fixtures.OnnxGraphBuilder;
import io.batchpool.scoring.fixtures.TreeEnsembleModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Categorical columns fed as int64 codes ({@link CategoryCodes}) give what the model as exported gives: the same
 * labels and probabilities within 1e-6, on the fixture data and on generated rows full of values the encoders do not
 * know (empty strings, other spellings, other columns' categories, NUL, characters outside the BMP, lone surrogates).
 */
class CategoryCodesTest {

    /** Cells no fixture encoder knows as they are, or that differ from a category only in bytes JNI may change. */
    private static final List<String> ODD_CELLS = List.of("", "?", " ", "male", " Male", "Male ", "MALE", "Male\u0000",
            "\u0000", "a\u0000b", "\uD83D\uDE00", "\uD83D", "\uDE00x", "é", "e\u0301", "United-States\r", "x".repeat(300),
            "\u0001batchpool unknown category 0");

    static Stream<Arguments> fixtureModels() {
        List<Arguments> cases = new ArrayList<>();
        for (Variant variant : Variant.values()) {
            cases.add(Arguments.of("logistic regression, " + variant, AdultCensusModel.build(variant)));
        }
        cases.add(Arguments.of("random forest 100x8, TENSOR", TreeEnsembleModel.randomForest(100, 8, 3).build(Variant.TENSOR)));
        cases.add(Arguments.of("gradient boosting 30x3, ZIPMAP", TreeEnsembleModel.gradientBoosting(30, 3, 2).build(Variant.ZIPMAP)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureModels")
    void theFixtureModelsScoreLikeTheModelAsExported(String name, byte[] bytes) throws Exception {
        try (OnnxModel coded = OnnxModel.load(bytes);
             OnnxModel asExported = OnnxModel.load(bytes, OnnxModel.Options.SINGLE_THREADED, OnnxModel.Paths.AS_EXPORTED)) {
            assertThat(coded.codedColumns()).as("every categorical column goes in as codes")
                    .isEqualTo(AdultCensusModel.CATEGORIES.keySet());
            assertThat(asExported.codedColumns()).isEmpty();

            List<Map<String, String>> rows = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                rows.add(AdultCensusData.asMap(AdultCensusData.row(i)));
            }
            SplittableRandom random = new SplittableRandom(7);
            List<String> everyCategory = AdultCensusModel.CATEGORIES.values().stream().flatMap(List::stream).toList();
            for (int i = 0; i < 3_000; i++) {
                Map<String, String> row = AdultCensusData.asMap(AdultCensusData.row(10_000 + i));
                for (Map.Entry<String, List<String>> column : AdultCensusModel.CATEGORIES.entrySet()) {
                    int pick = random.nextInt(10);
                    row.put(column.getKey(), pick < 5 ? column.getValue().get(random.nextInt(column.getValue().size()))
                            : pick < 7 ? everyCategory.get(random.nextInt(everyCategory.size()))
                            : ODD_CELLS.get(random.nextInt(ODD_CELLS.size())));
                }
                rows.add(row);
            }
            assertSameScores(coded, asExported, rows);
        }
    }

    // ---- each encoder, on a model built for it ----

    /** The categories of {@link #encoders}'s OneHotEncoder: an empty one, a duplicate, NUL, non-ASCII, non-BMP. */
    private static final List<String> COLORS = List.of("red", "green", "", "blue", "\uD83D\uDE00", "a\u0000b", "é", "green");
    /**
     * The colors a cell can match: ONNX Runtime's Java API hands strings over as JNI's modified UTF-8, in which NUL
     * and characters outside the BMP have other bytes than in the model's UTF-8, so the model as exported never
     * matches those two categories (with {@code zeros=0} they fail as unknown). The codes, asked through the same
     * API, agree.
     */
    private static final List<String> MATCHABLE_COLORS = List.of("red", "green", "", "blue", "é");
    private static final List<String> SIZES = List.of("S", "M", "L", "\uD83D\uDE00");
    private static final List<String> SHAPES = List.of("round", "square", "");

    /**
     * {@code color} → OneHotEncoder; {@code size} → LabelEncoder (keys_strings → values_int64s with a default, or
     * opset 1's classes_strings); {@code shape} → CategoryMapper; {@code x} numeric; then a binary LinearClassifier
     * whose weights tell every slot and value apart.
     */
    private static byte[] encoders(int mlOpset, long zeros) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("encoders")
                .input("color", STRING, N, 1).input("size", STRING, N, 1).input("shape", STRING, N, 1).input("x", FLOAT, N, 1);
        graph.mlNode("OneHotEncoder", List.of("color"), List.of("color_onehot3d"),
                stringsAttribute("cats_strings", COLORS), intAttribute("zeros", zeros));
        graph.node("Flatten", List.of("color_onehot3d"), List.of("color_onehot"), intAttribute("axis", 1));
        if (mlOpset == 1) {
            graph.mlNode("LabelEncoder", List.of("size"), List.of("size_code"),
                    stringsAttribute("classes_strings", SIZES), intAttribute("default_int64", -7));
        } else {
            graph.mlNode("LabelEncoder", List.of("size"), List.of("size_code"),
                    stringsAttribute("keys_strings", SIZES), intsAttribute("values_int64s", 3, 1, 4, 1),
                    intAttribute("default_int64", -7));
        }
        graph.node("Cast", List.of("size_code"), List.of("size_value"), intAttribute("to", FLOAT));
        graph.mlNode("CategoryMapper", List.of("shape"), List.of("shape_code"),
                stringsAttribute("cats_strings", SHAPES), intsAttribute("cats_int64s", 10, 20, 30), intAttribute("default_int64", 5));
        graph.node("Cast", List.of("shape_code"), List.of("shape_value"), intAttribute("to", FLOAT));
        graph.node("Concat", List.of("color_onehot", "size_value", "shape_value", "x"), List.of("features"), intAttribute("axis", 1));
        float[] w = {0.3f, -0.7f, 1.1f, 0.05f, -1.3f, 0.9f, -0.2f, 0.6f, 0.25f, 0.04f, 0.5f};
        float[] coefficients = new float[2 * w.length];
        for (int i = 0; i < w.length; i++) {
            coefficients[i] = -w[i];
            coefficients[w.length + i] = w[i];
        }
        graph.mlNode("LinearClassifier", List.of("features"), List.of("output_label", "output_probability"),
                floatsAttribute("coefficients", coefficients), floatsAttribute("intercepts", 0.8f, -0.8f),
                stringsAttribute("classlabels_strings", List.of("no", "yes")), stringAttribute("post_transform", "LOGISTIC"));
        return graph.output("output_label", STRING, N).output("output_probability", FLOAT, N, 2).build(mlOpset);
    }

    static Stream<Arguments> encoderModels() {
        return Stream.of(Arguments.of("ai.onnx.ml opset 3: LabelEncoder keys_strings → values_int64s", 3),
                Arguments.of("ai.onnx.ml opset 1: LabelEncoder classes_strings", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encoderModels")
    void oneHotLabelEncoderAndCategoryMapperScoreLikeTheModelAsExported(String name, int mlOpset) throws Exception {
        byte[] bytes = encoders(mlOpset, 1);
        try (OnnxModel coded = OnnxModel.load(bytes);
             OnnxModel asExported = OnnxModel.load(bytes, OnnxModel.Options.SINGLE_THREADED, OnnxModel.Paths.AS_EXPORTED)) {
            assertThat(coded.codedColumns()).containsExactlyInAnyOrder("color", "size", "shape");
            assertSameScores(coded, asExported, generated(4_000, true));
        }
    }

    @Test
    void aOneHotEncoderWithoutZerosStillFailsOnAnUnknownCategory() throws Exception {
        byte[] bytes = encoders(3, 0);
        try (OnnxModel coded = OnnxModel.load(bytes);
             OnnxModel asExported = OnnxModel.load(bytes, OnnxModel.Options.SINGLE_THREADED, OnnxModel.Paths.AS_EXPORTED)) {
            assertThat(coded.codedColumns()).contains("color");
            assertSameScores(coded, asExported, generated(2_000, false));

            List<Map<String, String>> unknown = generated(10, false);
            unknown.get(3).put("color", "purple");
            String message = failure(asExported, unknown);
            assertThat(message).contains("Unknown Category");
            assertThat(failure(coded, unknown)).isEqualTo(message);
        }
    }

    @Test
    void aColumnReadByTwoNodesStaysStrings() throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("two_readers").input("color", STRING, N, 1);
        graph.mlNode("OneHotEncoder", List.of("color"), List.of("a3d"), stringsAttribute("cats_strings", List.of("red", "blue")),
                intAttribute("zeros", 1));
        graph.mlNode("OneHotEncoder", List.of("color"), List.of("b3d"), stringsAttribute("cats_strings", List.of("blue", "green")),
                intAttribute("zeros", 1));
        graph.node("Concat", List.of("a3d", "b3d"), List.of("both3d"), intAttribute("axis", 2));
        graph.node("Flatten", List.of("both3d"), List.of("features"), intAttribute("axis", 1));
        graph.mlNode("LinearClassifier", List.of("features"), List.of("output_label", "output_probability"),
                floatsAttribute("coefficients", -1, -2, -3, -4, 1, 2, 3, 4), floatsAttribute("intercepts", 0, 0),
                stringsAttribute("classlabels_strings", List.of("no", "yes")), stringAttribute("post_transform", "LOGISTIC"));
        byte[] bytes = graph.output("output_label", STRING, N).output("output_probability", FLOAT, N, 2).build();
        try (OnnxModel model = OnnxModel.load(bytes);
             OnnxModel asExported = OnnxModel.load(bytes, OnnxModel.Options.SINGLE_THREADED, OnnxModel.Paths.AS_EXPORTED)) {
            assertThat(model.codedColumns()).isEmpty();
            List<Map<String, String>> rows = new ArrayList<>();
            for (String color : List.of("red", "blue", "green", "", "?")) {
                rows.add(new java.util.HashMap<>(Map.of("color", color)));
            }
            assertSameScores(model, asExported, rows);
        }
    }

    @Test
    void modifiedUtf8IsWhatJniHandsOver() {
        assertThat(CategoryCodes.ModifiedUtf8.encode("a\u0000b")).containsExactly(0x61, 0xC0, 0x80, 0x62);
        assertThat(CategoryCodes.ModifiedUtf8.encode("\uD83D\uDE00")).hasSize(6);
        for (String text : ODD_CELLS) {
            assertThat(CategoryCodes.ModifiedUtf8.decode(CategoryCodes.ModifiedUtf8.encode(text))).isEqualTo(text);
        }
        assertThat(CategoryCodes.ModifiedUtf8.decode("a\u0000b".getBytes(StandardCharsets.UTF_8))).as("raw NUL").isNull();
        assertThat(CategoryCodes.ModifiedUtf8.decode("\uD83D\uDE00".getBytes(StandardCharsets.UTF_8))).as("4-byte form").isNull();
        assertThat(CategoryCodes.ModifiedUtf8.decode(new byte[] {(byte) 0xC1, (byte) 0x81})).as("overlong 'A'").isNull();
    }

    // ---- helpers ----

    /** Rows of {@link #encoders}: known values, the other columns' values and odd cells (or matchable colors only). */
    private static List<Map<String, String>> generated(int rows, boolean unknownColors) {
        SplittableRandom random = new SplittableRandom(11);
        List<String> everything = new ArrayList<>(COLORS);
        everything.addAll(SIZES);
        everything.addAll(SHAPES);
        everything.addAll(ODD_CELLS);
        List<Map<String, String>> result = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Map<String, String> row = new java.util.HashMap<>();
            row.put("color", !unknownColors ? MATCHABLE_COLORS.get(random.nextInt(MATCHABLE_COLORS.size()))
                    : random.nextInt(3) == 0 ? everything.get(random.nextInt(everything.size()))
                    : COLORS.get(random.nextInt(COLORS.size())));
            row.put("size", random.nextInt(3) == 0 ? everything.get(random.nextInt(everything.size())) : SIZES.get(random.nextInt(SIZES.size())));
            row.put("shape", random.nextInt(3) == 0 ? everything.get(random.nextInt(everything.size())) : SHAPES.get(random.nextInt(SHAPES.size())));
            row.put("x", Integer.toString(random.nextInt(-50, 50)));
            result.add(row);
        }
        return result;
    }

    /** Scores {@code rows} (column → cell) with both models in batches of 512: same labels, probabilities within 1e-6. */
    private static void assertSameScores(OnnxModel model, OnnxModel reference, List<Map<String, String>> rows) throws Exception {
        Set<String> labels = new HashSet<>();
        for (int start = 0; start < rows.size(); start += 512) {
            List<Map<String, String>> chunk = rows.subList(start, Math.min(rows.size(), start + 512));
            ScoredBatch expected = score(reference, chunk);
            ScoredBatch actual = score(model, chunk);
            for (int r = 0; r < chunk.size(); r++) {
                assertThat(actual.label(r)).as("label of %s", chunk.get(r)).isEqualTo(expected.label(r));
                assertThat((double) actual.probability(r)).as("probability of %s", chunk.get(r))
                        .isCloseTo(expected.probability(r), within(1e-6));
                labels.add(actual.label(r));
            }
        }
        if (rows.size() > 100) {
            assertThat(labels).as("both classes occur").hasSize(2);
        }
    }

    private static ScoredBatch score(OnnxModel model, List<Map<String, String>> rows) throws ScoringException {
        InputBatch batch = model.newBatch(rows.size());
        List<InputColumn> inputs = model.schema().inputs();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < inputs.size(); c++) {
                String cell = rows.get(r).get(inputs.get(c).name());
                if (inputs.get(c).kind() == ColumnKind.CATEGORICAL) {
                    batch.setString(c, r, cell);
                } else {
                    batch.setFloat(c, r, Float.parseFloat(cell));
                }
            }
        }
        batch.size(rows.size());
        ScoredBatch scored = new ScoredBatch(rows.size());
        model.score(batch, scored);
        return scored;
    }

    private static String failure(OnnxModel model, List<Map<String, String>> rows) {
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> score(model, rows)).isInstanceOf(ScoringException.class)
                .satisfies(e -> thrown[0] = e);
        return thrown[0].getMessage();
    }
}
