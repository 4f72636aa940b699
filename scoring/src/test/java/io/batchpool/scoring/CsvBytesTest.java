package io.batchpool.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import de.siegmar.fastcsv.writer.CsvWriter;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The output is the one FastCSV's reader and writer made before CsvScorer wrote bytes itself: fields quoted and
 * encoded exactly as {@code CsvWriter} does, and a whole scored file byte for byte what reading it with
 * {@code CsvRecord}s and writing it with {@code CsvWriter} gives.
 */
class CsvBytesTest {

    private static final String[] PIECES = {"a", "Z", "0", " ", "\t", ",", "\"", "\r", "\n", "\r\n", "#", "é", "ß",
            "€", "中", "\uD83D\uDE00", "\uD83D", "\uDE00", "\u0000", "\u007F", "\u0080", "\u07FF", "\u0800", "\uFFFF", "x#"};

    @Test
    void fieldsAreWrittenAsFastCsvWritesThem() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder value = new StringBuilder();
            int pieces = random.nextInt(6);
            for (int p = 0; p < pieces; p++) {
                value.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String text = value.toString();
            for (boolean first : new boolean[] {true, false}) {
                CsvBytes bytes = new CsvBytes(4);
                bytes.field(text, first);
                assertThat(bytes.toByteArray()).as("%s field %s", first ? "first" : "later", escape(text))
                        .isEqualTo(fastCsv(text, first));
            }
        }
    }

    @Test
    void aScoredFileIsByteForByteWhatFastCsvWrote() throws Exception {
        // a '#' id, quoted cells with separators, quotes and line breaks, non-ASCII, bytes that are not UTF-8,
        // a BOM, empty lines, and a label column left as written
        SplittableRandom random = new SplittableRandom(9);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        List<String> header = new ArrayList<>(AdultCensusData.HEADER);
        header.add("note, \"quoted\"");
        input.write((csvLine(header) + "\n").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2_000; i++) {
            List<String> row = new ArrayList<>(List.of(AdultCensusData.row(i)));
            if (i % 7 == 0) {
                row.set(0, "#" + row.get(0));
            }
            StringBuilder note = new StringBuilder();
            for (int p = random.nextInt(5); p > 0; p--) {
                note.append(PIECES[random.nextInt(PIECES.length)]);
            }
            row.add(note.toString().replace("\u0000", "").replace("\uD83D", "").replace("\uDE00", ""));
            input.write(csvLine(row).getBytes(StandardCharsets.UTF_8));
            if (i % 100 == 0) {
                input.write(new byte[] {'\n'});
            }
            if (i % 333 == 0) {
                input.write(new byte[] {'\n'});
                List<String> broken = new ArrayList<>(List.of(AdultCensusData.row(i)));
                input.write((String.join(",", broken) + ",bad").getBytes(StandardCharsets.UTF_8));
                input.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\n'});
            }
        }
        byte[] csv = input.toByteArray();

        try (OnnxModel model = OnnxModel.load(AdultCensusModel.build(AdultCensusModel.Variant.TENSOR))) {
            ByteArrayOutputStream scored = new ByteArrayOutputStream();
            long rows = CsvScorer.builder(model).batchSize(100).build().score(new ByteArrayInputStream(csv), scored);
            assertThat(rows).isEqualTo(2_000 + 7);
            byte[] expected = fastCsvScored(model, csv, 100);
            // bytes as ISO-8859-1 characters: one char a byte, so a failure shows the lines that differ
            assertThat(new String(scored.toByteArray(), StandardCharsets.ISO_8859_1).lines())
                    .containsExactlyElementsOf(new String(expected, StandardCharsets.ISO_8859_1).lines().toList());
            assertThat(scored.toByteArray()).isEqualTo(expected);
        }
    }

    /**
     * What the scorer wrote with FastCSV's CsvRecord reader and CsvWriter, in batches of {@code batchSize} rows (ONNX
     * Runtime's last float digit may depend on the batch a row is scored in).
     */
    private static byte[] fastCsvScored(OnnxModel model, byte[] csv, int batchSize) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvWriter writer = CsvWriter.builder().build(out, StandardCharsets.UTF_8);
        List<InputColumn> inputs = model.schema().inputs();
        try (CsvReader<CsvRecord> reader = CsvReader.builder().detectBomHeader(true).skipEmptyLines(true)
                .extraFieldStrategy(FieldMismatchStrategy.IGNORE).missingFieldStrategy(FieldMismatchStrategy.IGNORE)
                .ofCsvRecord(new ByteArrayInputStream(csv), StandardCharsets.UTF_8)) {
            List<CsvRecord> records = reader.stream().toList();
            List<String> header = records.get(0).getFields();
            List<String> outputHeader = new ArrayList<>(header);
            outputHeader.add(CsvScorer.SCORED_LABELS);
            outputHeader.add(CsvScorer.SCORED_PROBABILITIES);
            writer.writeRecord(outputHeader);
            for (int start = 1; start < records.size(); start += batchSize) {
                List<CsvRecord> rows = records.subList(start, Math.min(records.size(), start + batchSize));
                InputBatch batch = model.newBatch(batchSize);
                for (int r = 0; r < rows.size(); r++) {
                    for (int c = 0; c < inputs.size(); c++) {
                        String cell = rows.get(r).getField(header.indexOf(inputs.get(c).name()));
                        if (inputs.get(c).kind() == ColumnKind.CATEGORICAL) {
                            batch.setString(c, r, cell);
                        } else {
                            batch.setFloat(c, r, Float.parseFloat(cell));
                        }
                    }
                }
                batch.size(rows.size());
                ScoredBatch result = new ScoredBatch(batchSize);
                model.score(batch, result);
                for (int r = 0; r < rows.size(); r++) {
                    CsvWriter.CsvWriterRecord row = writer.writeRecord();
                    for (String field : rows.get(r).getFields()) {
                        row.writeField(field);
                    }
                    row.writeField(result.label(r)).writeField(Float.toString(result.probability(r))).endRecord();
                }
            }
        }
        writer.flush();
        return out.toByteArray();
    }

    private static byte[] fastCsv(String value, boolean first) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvWriter writer = CsvWriter.builder().build(out, StandardCharsets.UTF_8);
        if (first) {
            writer.writeRecord(value);
        } else {
            writer.writeRecord("x", value);
        }
        writer.flush();
        byte[] line = out.toByteArray();
        int from = first ? 0 : 2;
        return java.util.Arrays.copyOfRange(line, from, line.length - 2);
    }

    private static String csvLine(List<String> cells) {
        List<String> quoted = new ArrayList<>();
        for (String cell : cells) {
            quoted.add("\"" + cell.replace("\"", "\"\"") + "\"");
        }
        return String.join(",", quoted) + "\n";
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
