package io.batchpool.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.writer.CsvWriter;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.AdultCensusModel.Variant;
import io.batchpool.scoring.fixtures.TreeEnsembleModel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows per second of {@link CsvScorer} (CSV in memory → CSV to a null sink) next to ONNX Runtime alone scoring the
 * same rows already parsed into tensors, both single-threaded (intra/inter op threads 1), plus the CSV read+write
 * cost without a model. Not a test: run {@code bin/bench-scoring [rows] [batchSize] [rounds]}.
 */
public final class ScoringBenchmark {

    private ScoringBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : CsvScorer.DEFAULT_BATCH_SIZE;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;

        ByteArrayOutputStream generated = new ByteArrayOutputStream();
        AdultCensusData.csv(rows).transferTo(generated);
        byte[] csv = generated.toByteArray();
        System.out.printf("input: %,d rows, %,d bytes of CSV; batch size %d; best of %d rounds after one warm-up;"
                        + " ONNX Runtime %s, 1 intra-op and 1 inter-op thread%n",
                rows, csv.length, batchSize, rounds, OrtEnvironment.getEnvironment().getVersion());

        double csvOnly = best(rounds, () -> csvReadWrite(csv));
        System.out.printf("%-50s %,12.0f rows/s%n", "CSV read + write only (FastCSV, no model)", rows / csvOnly);

        Map<String, byte[]> models = new LinkedHashMap<>();
        models.put("logistic regression, TENSOR", AdultCensusModel.build(Variant.TENSOR));
        models.put("logistic regression, ZIPMAP", AdultCensusModel.build(Variant.ZIPMAP));
        // the size issue 9 measures with: a random forest of 100 trees of depth 8 ([N,2] tensor, as the first model)
        models.put("random forest 100x8, TENSOR", TreeEnsembleModel.randomForest(100, 8, 3).build(Variant.TENSOR));
        for (Map.Entry<String, byte[]> entry : models.entrySet()) {
            String name = entry.getKey();
            byte[] model = entry.getValue();
            double scorer;
            try (OnnxModel onnx = OnnxModel.load(model)) {
                CsvScorer csvScorer = CsvScorer.builder(onnx).batchSize(batchSize).build();
                scorer = best(rounds, () -> csvScorer.score(new ByteArrayInputStream(csv), OutputStream.nullOutputStream()));
            }
            OrtAlone ortAlone = new OrtAlone(model, csv, batchSize);
            double alone = best(rounds, ortAlone::run);
            double withTensors = best(rounds, ortAlone::runBuildingTensors);
            System.out.printf("%-50s %,12.0f rows/s%n", "CsvScorer, " + name, rows / scorer);
            System.out.printf("%-50s %,12.0f rows/s%n", "ONNX Runtime alone, " + name, rows / alone);
            System.out.printf("%-50s %,12.0f rows/s%n", "  same, building tensors from parsed arrays", rows / withTensors);
            System.out.printf("%-50s %12.1f %%%n", "CsvScorer / ONNX Runtime alone", 100 * alone / scorer);
        }
    }

    private interface Round {
        void run() throws Exception;
    }

    /** Best wall time of {@code rounds} runs, in seconds, after one warm-up run. */
    private static double best(int rounds, Round round) throws Exception {
        round.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            round.run();
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return best;
    }

    private static void csvReadWrite(byte[] csv) throws Exception {
        CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(new ByteArrayInputStream(csv), StandardCharsets.UTF_8);
        CsvWriter writer = CsvWriter.builder().build(OutputStream.nullOutputStream(), StandardCharsets.UTF_8);
        for (CsvRecord record : reader) {
            CsvWriter.CsvWriterRecord out = writer.writeRecord();
            for (String field : record.getFields()) {
                out.writeField(field);
            }
            out.writeField(">50K").writeField(Float.toString(0.25f)).endRecord();
        }
        writer.flush();
    }

    /**
     * The same rows parsed into input tensors before timing; a round runs the session over all batches and reads
     * the label and probability outputs, the way any caller has to.
     */
    private static final class OrtAlone {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final List<Map<String, OnnxTensor>> batches = new ArrayList<>();
        /** The same batches as Java values (FloatBuffer or String[]) per input, to build tensors in a round. */
        private final List<Map<String, Object>> parsed = new ArrayList<>();

        OrtAlone(byte[] model, byte[] csv, int batchSize) throws Exception {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                session = env.createSession(model, options);
            }
            List<String> features = AdultCensusModel.FEATURES;
            List<String[]> rows = new ArrayList<>();
            try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(new ByteArrayInputStream(csv), StandardCharsets.UTF_8)) {
                List<String> header = null;
                for (CsvRecord record : reader) {
                    if (header == null) {
                        header = record.getFields();
                        continue;
                    }
                    String[] cells = new String[features.size()];
                    for (int c = 0; c < cells.length; c++) {
                        cells[c] = record.getField(header.indexOf(features.get(c)));
                    }
                    rows.add(cells);
                }
            }
            for (int start = 0; start < rows.size(); start += batchSize) {
                int n = Math.min(batchSize, rows.size() - start);
                long[] shape = {n, 1};
                Map<String, OnnxTensor> feeds = new HashMap<>();
                Map<String, Object> values0 = new HashMap<>();
                for (int c = 0; c < features.size(); c++) {
                    String name = features.get(c);
                    if (AdultCensusModel.NUMERIC.contains(name)) {
                        FloatBuffer values = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
                        for (int r = 0; r < n; r++) {
                            values.put(r, Float.parseFloat(rows.get(start + r)[c]));
                        }
                        feeds.put(name, OnnxTensor.createTensor(env, values, shape));
                        values0.put(name, values);
                    } else {
                        String[] values = new String[n];
                        for (int r = 0; r < n; r++) {
                            values[r] = rows.get(start + r)[c];
                        }
                        feeds.put(name, OnnxTensor.createTensor(env, values, shape));
                        values0.put(name, values);
                    }
                }
                batches.add(feeds);
                parsed.add(values0);
            }
        }

        void run() throws Exception {
            score(batches);
        }

        /** As {@link #run} but creating the input tensors in the round, as any caller scoring new rows must. */
        void runBuildingTensors() throws Exception {
            for (Map<String, Object> batch : parsed) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                for (Map.Entry<String, Object> input : batch.entrySet()) {
                    Object values = input.getValue();
                    if (values instanceof FloatBuffer floats) {
                        feeds.put(input.getKey(), OnnxTensor.createTensor(env, floats, new long[] {floats.capacity(), 1}));
                    } else {
                        String[] strings = (String[]) values;
                        feeds.put(input.getKey(), OnnxTensor.createTensor(env, strings, new long[] {strings.length, 1}));
                    }
                }
                score(List.of(feeds));
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        private void score(List<Map<String, OnnxTensor>> feedsList) throws Exception {
            double sink = 0;
            for (Map<String, OnnxTensor> feeds : feedsList) {
                try (OrtSession.Result result = session.run(feeds)) {
                    String[] labels = (String[]) ((OnnxTensor) result.get(0)).getValue();
                    OnnxValue probabilities = result.get(1);
                    if (probabilities instanceof OnnxTensor tensor) {
                        sink += tensor.getFloatBuffer().get(1);
                    } else {
                        for (OnnxValue map : ((ai.onnxruntime.OnnxSequence) probabilities).getValue()) {
                            sink += ((Float) ((ai.onnxruntime.OnnxMap) map).getValue().get(AdultCensusModel.POSITIVE));
                            map.close();
                        }
                    }
                    sink += labels.length;
                }
            }
            if (Double.isNaN(sink)) {
                System.out.println(Arrays.toString(new double[] {sink}));
            }
        }
    }
}
