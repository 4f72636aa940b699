package io.batchpool.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.AdultCensusModel.Variant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class CsvScorerTest {

    private static final List<String> OUTPUT_HEADER = Stream.concat(AdultCensusData.HEADER.stream(),
            Stream.of("Scored Labels", "Scored Probabilities")).collect(Collectors.toList());

    private static final Map<Variant, OnnxModel> MODELS = new EnumMap<>(Variant.class);
    private static OnnxModel zipMapReadMapByMap;

    @BeforeAll
    static void loadModels() throws Exception {
        for (Variant variant : Variant.values()) {
            MODELS.put(variant, OnnxModel.load(AdultCensusModel.build(variant)));
        }
        zipMapReadMapByMap = OnnxModel.load(AdultCensusModel.build(Variant.ZIPMAP), OnnxModel.Options.SINGLE_THREADED,
                OnnxModel.Paths.AS_EXPORTED);
        assertThat(zipMapReadMapByMap.readsProbabilityMaps()).isTrue();
    }

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(OnnxModel::close);
        zipMapReadMapByMap.close();
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("ZipMap", Variant.ZIPMAP, false),
                Arguments.of("ZipMap read map by map", Variant.ZIPMAP, true),
                Arguments.of("[N,2] tensor", Variant.TENSOR, false),
                Arguments.of("int64 labels", Variant.INT64_LABELS, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void scoresEveryRowLikeTheIndependentComputation(String name, Variant variant, boolean mapByMap) throws Exception {
        OnnxModel model = mapByMap ? zipMapReadMapByMap : MODELS.get(variant);
        int rows = 5_000;
        List<Long> progress = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        long scored = CsvScorer.builder(model).progress(progress::add).build().score(AdultCensusData.csv(rows), out);

        assertThat(scored).isEqualTo(rows);
        assertThat(progress).startsWith(512L, 1024L).endsWith(4608L, 5000L).hasSize(10);
        List<CsvRecord> output = parse(out);
        assertThat(output.get(0).getFields()).containsExactlyElementsOf(OUTPUT_HEADER);
        assertThat(output).hasSize(rows + 1);
        int positives = 0;
        for (int i = 0; i < rows; i++) {
            String[] input = AdultCensusData.row(i);
            List<String> cells = output.get(i + 1).getFields();
            assertThat(cells.subList(0, input.length)).as("pass-through of row %d", i).containsExactly(input);
            AdultCensusModel.Expected expected = AdultCensusModel.expected(AdultCensusData.asMap(input));
            assertThat(cells.get(input.length)).as("label of row %d", i).isEqualTo(expected.label(variant));
            assertThat(Double.parseDouble(cells.get(input.length + 1))).as("probability of row %d", i)
                    .isCloseTo(expected.probability(), within(1e-5));
            positives += expected.positive() ? 1 : 0;
        }
        // the data exercise both classes
        assertThat(positives).isBetween(rows / 20, rows - rows / 20);
    }

    @Test
    void probabilitiesAreWrittenAsTheFloatTheModelReturned() throws Exception {
        OnnxModel model = MODELS.get(Variant.TENSOR);
        InputBatch batch = model.newBatch(3);
        ScoredBatch direct = new ScoredBatch(3);
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            String[] row = AdultCensusData.row(r);
            lines.add(String.join(",", row));
            for (int c = 0; c < model.schema().inputs().size(); c++) {
                InputColumn input = model.schema().inputs().get(c);
                String cell = row[AdultCensusData.HEADER.indexOf(input.name())];
                if (input.kind() == ColumnKind.NUMERIC) {
                    batch.setFloat(c, r, Float.parseFloat(cell));
                } else {
                    batch.setString(c, r, cell);
                }
            }
        }
        batch.size(3);
        model.score(batch, direct);

        List<CsvRecord> output = score(model, String.join(",", AdultCensusData.HEADER) + "\n" + String.join("\n", lines), 512);

        for (int r = 0; r < 3; r++) {
            List<String> cells = output.get(r + 1).getFields();
            assertThat(cells.get(cells.size() - 1)).isEqualTo(Float.toString(direct.probability(r)));
            assertThat(Float.parseFloat(cells.get(cells.size() - 1))).isEqualTo(direct.probability(r));
            assertThat(cells.get(cells.size() - 2)).isEqualTo(direct.label(r));
        }
    }

    @Test
    void headerOnlyInputGivesHeaderOnlyOutput() throws Exception {
        List<Long> progress = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long scored = CsvScorer.builder(MODELS.get(Variant.ZIPMAP)).progress(progress::add).build()
                .score(AdultCensusData.csv(0), out);

        assertThat(scored).isZero();
        assertThat(progress).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(String.join(",", AdultCensusData.HEADER) + ",Scored Labels,Scored Probabilities\r\n");
    }

    @ParameterizedTest(name = "{0} rows in batches of 4")
    @ValueSource(ints = {1, 3, 4, 5, 8, 9})
    void batchBoundaries(int rows) throws Exception {
        List<Long> progress = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long scored = CsvScorer.builder(MODELS.get(Variant.ZIPMAP)).batchSize(4).progress(progress::add).build()
                .score(AdultCensusData.csv(rows), out);

        assertThat(scored).isEqualTo(rows);
        List<Long> expectedProgress = new ArrayList<>();
        for (long done = 4; done < rows; done += 4) {
            expectedProgress.add(done);
        }
        expectedProgress.add((long) rows);
        assertThat(progress).containsExactlyElementsOf(expectedProgress);
        List<CsvRecord> output = parse(out);
        assertThat(output).hasSize(rows + 1);
        for (int i = 0; i < rows; i++) {
            List<String> cells = output.get(i + 1).getFields();
            assertThat(cells.get(0)).isEqualTo(Long.toString(i + 1));
            assertThat(cells.get(cells.size() - 2))
                    .isEqualTo(AdultCensusModel.expected(AdultCensusData.asMap(AdultCensusData.row(i))).label(Variant.ZIPMAP));
        }
    }

    @Test
    void passesThroughColumnsTheModelDoesNotUseInTheirOrder() throws Exception {
        // model columns in another order than the graph's, extra columns around them, a cell needing quotes
        List<String> header = new ArrayList<>(AdultCensusModel.FEATURES);
        java.util.Collections.reverse(header);
        header.add(0, "note");
        header.add(5, "id");
        header.add("income");
        String[] generated = AdultCensusData.row(7);
        Map<String, String> values = AdultCensusData.asMap(generated);
        values.put("note", "said \"hi\", then\nleft");
        StringBuilder csv = new StringBuilder(csvLine(header));
        List<String> cells = new ArrayList<>();
        for (String column : header) {
            cells.add(values.get(column));
        }
        csv.append(csvLine(cells));

        List<CsvRecord> output = score(MODELS.get(Variant.TENSOR), csv.toString(), 512);

        List<String> expectedHeader = new ArrayList<>(header);
        expectedHeader.add("Scored Labels");
        expectedHeader.add("Scored Probabilities");
        assertThat(output.get(0).getFields()).containsExactlyElementsOf(expectedHeader);
        List<String> row = output.get(1).getFields();
        assertThat(row.subList(0, header.size())).containsExactlyElementsOf(cells);
        assertThat(row.get(0)).isEqualTo("said \"hi\", then\nleft");
        AdultCensusModel.Expected expected = AdultCensusModel.expected(values);
        assertThat(row.get(header.size())).isEqualTo(expected.label(Variant.TENSOR));
        assertThat(Double.parseDouble(row.get(header.size() + 1))).isCloseTo(expected.probability(), within(1e-5));
    }

    @Test
    void acceptsTheNumberFormsAzureMlClassicAccepted() throws Exception {
        String[] forms = {" 39", "39 ", "\t39\t", "+39", "39.", "39.0", "3.9e1", "3.9E+1", "390e-1", "0039"};
        StringBuilder csv = new StringBuilder(csvLine(AdultCensusData.HEADER));
        for (String age : forms) {
            String[] row = AdultCensusData.row(1);
            row[1] = "\"" + age + "\"";
            csv.append(String.join(",", row)).append('\n');
        }

        List<CsvRecord> output = score(MODELS.get(Variant.TENSOR), csv.toString(), 4);

        Map<String, String> plain = AdultCensusData.asMap(AdultCensusData.row(1));
        plain.put("age", "39");
        AdultCensusModel.Expected expected = AdultCensusModel.expected(plain);
        assertThat(output).hasSize(forms.length + 1);
        for (int i = 0; i < forms.length; i++) {
            List<String> cells = output.get(i + 1).getFields();
            assertThat(cells.get(1)).as("pass-through keeps the text as written").isEqualTo(forms[i]);
            assertThat(Double.parseDouble(cells.get(cells.size() - 1))).as(forms[i])
                    .isCloseTo(expected.probability(), within(1e-5));
        }
    }

    // ---- errors ----

    @Test
    void emptyInput() {
        assertInvalidInput("", "the input is empty: the first line must be a header naming the columns age,"
                + " workclass, fnlwgt, education, education-num, marital-status, occupation, relationship, race, sex,"
                + " capital-gain, capital-loss, hours-per-week, native-country");
        assertInvalidInput("\n\n", "the input is empty: the first line must be a header naming the columns age,"
                + " workclass, fnlwgt, education, education-num, marital-status, occupation, relationship, race, sex,"
                + " capital-gain, capital-loss, hours-per-week, native-country");
    }

    @Test
    void missingColumnsAreListed() {
        String header = "id,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,"
                + "capital-gain,capital-loss,hours-per-week,income\n";
        assertInvalidInput(header + "1,2,3\n", "the header (line 1) is missing the columns age, workclass,"
                + " native-country that the model needs; the header has id, fnlwgt, education, education-num,"
                + " marital-status, occupation, relationship, race, sex, capital-gain, capital-loss, hours-per-week, income");
    }

    @Test
    void aColumnTheModelNeedsTwiceInTheHeader() {
        String header = String.join(",", AdultCensusData.HEADER) + ",age\n";
        assertInvalidInput(header, "the header names column 'age' twice (columns 2 and 17)");
    }

    @Test
    void aNumberThatDoesNotParse() {
        String[] row = AdultCensusData.row(0);
        row[1] = "4x";
        assertInvalidInput(csv(2, row), "line 4, column 'age': '4x' is not a number");
    }

    @Test
    void anEmptyNumericCell() {
        String[] row = AdultCensusData.row(0);
        row[3] = "";
        assertInvalidInput(csv(1, row), "line 3, column 'fnlwgt': the value is empty; numeric columns need a number"
                + " in every row");
        row[3] = "  ";
        assertInvalidInput(csv(0, row), "line 2, column 'fnlwgt': the value is empty; numeric columns need a number"
                + " in every row");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "0x10", "1f", "1d", "1e", "--1", "1.2.3", "e5", ".", "1 000", "١٢"})
    void numbersAzureMlClassicDidNotAccept(String value) {
        String[] row = AdultCensusData.row(0);
        row[13] = value;
        assertInvalidInput(csv(0, row), "line 2, column 'hours-per-week': '" + value + "' is not a number");
    }

    @Test
    void aNumberTooLargeForAFloatColumn() {
        String[] row = AdultCensusData.row(0);
        row[11] = "1e39";
        assertInvalidInput(csv(0, row), "line 2, column 'capital-gain': '1e39' is too large for a float column");
    }

    @Test
    void aLongBadValueIsShortenedInTheMessage() {
        String[] row = AdultCensusData.row(0);
        row[1] = "x".repeat(500);
        assertInvalidInput(csv(0, row), "line 2, column 'age': '" + "x".repeat(100) + "...' is not a number");
    }

    @Test
    void aRowWithTheWrongNumberOfFields() {
        String[] good = AdultCensusData.row(0);
        String[] shorter = java.util.Arrays.copyOf(good, good.length - 1);
        assertInvalidInput(csv(2, shorter), "line 4: 15 fields, but the header has 16");
        String[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        longer[good.length] = "extra";
        assertInvalidInput(csv(0, longer), "line 2: 17 fields, but the header has 16");
    }

    @Test
    void lineNumbersCountPhysicalLines() {
        // a quoted multi-line cell and an empty line before the bad row
        String header = String.join(",", AdultCensusData.HEADER) + ",note\n";
        String first = String.join(",", AdultCensusData.row(0)) + ",\"two\nlines\"\n\n";
        String[] bad = AdultCensusData.row(1);
        bad[5] = "ten";
        assertInvalidInput(header + first + String.join(",", bad) + ",x\n",
                "line 5, column 'education-num': 'ten' is not a number");
    }

    @Test
    void anErrorInALaterBatchLeavesTheEarlierBatchesWritten() throws Exception {
        String[] bad = AdultCensusData.row(0);
        bad[1] = "old";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> CsvScorer.builder(MODELS.get(Variant.ZIPMAP)).batchSize(4).build()
                .score(new ByteArrayInputStream(csv(6, bad).getBytes(StandardCharsets.UTF_8)), out))
                .hasMessage("line 8, column 'age': 'old' is not a number");
        assertThat(parse(out)).hasSize(5);
    }

    // ---- cancellation and deadline ----

    @Test
    void cancellationStopsBetweenBatches() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        List<Long> progress = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvScorer scorer = CsvScorer.builder(MODELS.get(Variant.ZIPMAP)).batchSize(10)
                .progress(rows -> {
                    progress.add(rows);
                    cancelled.set(true);
                })
                .cancelled(cancelled::get)
                .build();

        assertThatThrownBy(() -> scorer.score(AdultCensusData.csv(35), out))
                .isInstanceOf(ScoringException.class)
                .hasMessage("scoring was cancelled after 10 rows")
                .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.CANCELLED));
        assertThat(progress).containsExactly(10L);
        assertThat(parse(out)).as("header and the first batch").hasSize(11);
    }

    @Test
    void aPassedDeadlineStopsBeforeTheNextBatch() throws Exception {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        MutableClock clock = new MutableClock(start);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvScorer scorer = CsvScorer.builder(MODELS.get(Variant.ZIPMAP)).batchSize(10)
                .deadline(start.plusSeconds(60)).clock(clock)
                .progress(rows -> clock.now = clock.now.plusSeconds(rows >= 20 ? 60 : 1))
                .build();

        assertThatThrownBy(() -> scorer.score(AdultCensusData.csv(100), out))
                .isInstanceOf(ScoringException.class)
                .hasMessage("scoring stopped at the run-time limit (2026-01-01T00:01:00Z) after 20 rows")
                .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.DEADLINE_EXCEEDED));
        assertThat(parse(out)).hasSize(21);
    }

    // ---- helpers ----

    private static String csv(int goodRowsBefore, String[] lastRow) {
        StringBuilder csv = new StringBuilder(csvLine(AdultCensusData.HEADER));
        for (int i = 0; i < goodRowsBefore; i++) {
            csv.append(String.join(",", AdultCensusData.row(i))).append('\n');
        }
        return csv.append(String.join(",", lastRow)).append('\n').toString();
    }

    private static String csvLine(List<String> cells) {
        return cells.stream().map(CsvScorerTest::quoted).collect(Collectors.joining(",")) + "\n";
    }

    private static String quoted(String cell) {
        return "\"" + cell.replace("\"", "\"\"") + "\"";
    }

    private static void assertInvalidInput(String csv, String message) {
        assertThatThrownBy(() -> CsvScorer.builder(MODELS.get(Variant.ZIPMAP)).build()
                .score(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream()))
                .isInstanceOf(ScoringException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.INVALID_INPUT));
    }

    private static List<CsvRecord> score(OnnxModel model, String csv, int batchSize) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvScorer.builder(model).batchSize(batchSize).build()
                .score(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), out);
        return parse(out);
    }

    private static List<CsvRecord> parse(ByteArrayOutputStream out) throws Exception {
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(out.toString(StandardCharsets.UTF_8))) {
            return reader.stream().collect(Collectors.toList());
        }
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
