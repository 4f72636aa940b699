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
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows per second of {@link CsvScorer} (CSV in memory → CSV to a null sink) next to its two limits: the CSV alone
 * (FastCSV reading and writing the same rows, no model) and the model alone (ONNX Runtime on the model as exported,
 * its input tensors built before timing). Issue 9's target is CsvScorer at 90% of the slower of the two. Also the
 * model as CsvScorer runs it (categorical columns as codes, batches parsed before timing), CsvScorer on one thread,
 * and the CPU time per row of the calling thread and of the others (the read-ahead thread, plus GC and JIT), which
 * depend less than wall time on what else the machine runs. The limits and CsvScorer run in turns, round after
 * round, so that they see the same load. Then the cost of a call for tiny inputs, with and without the read-ahead
 * thread. ONNX Runtime runs with 1 intra-op and 1 inter-op thread throughout. Not a test: run
 * {@code bin/bench-scoring [rows] [batchSize] [rounds]}.
 */
public final class ScoringBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

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
                        + " ONNX Runtime %s, 1 intra-op and 1 inter-op thread; %d cores, load average %.1f%n",
                rows, csv.length, batchSize, rounds, OrtEnvironment.getEnvironment().getVersion(),
                Runtime.getRuntime().availableProcessors(), OS.getSystemLoadAverage());
        System.out.printf("%-62s %12s %22s%n", "", "rows/s", "CPU µs/row: caller+other");

        Map<String, byte[]> models = new LinkedHashMap<>();
        models.put("logistic regression, [N,2] tensor", AdultCensusModel.build(Variant.TENSOR));
        models.put("logistic regression, ZipMap", AdultCensusModel.build(Variant.ZIPMAP));
        // the size issue 9 measures with: a random forest of 100 trees of depth 8
        models.put("random forest 100 trees x depth 8, [N,2] tensor",
                TreeEnsembleModel.randomForest(100, 8, 3).build(Variant.TENSOR));
        for (Map.Entry<String, byte[]> entry : models.entrySet()) {
            byte[] model = entry.getValue();
            System.out.println(entry.getKey() + ":");
            try (OrtAlone ortAlone = new OrtAlone(model, csv, batchSize); OnnxModel onnx = OnnxModel.load(model)) {
                ReaderCpu readerCpu = new ReaderCpu();
                CsvScorer scorer = CsvScorer.builder(onnx).batchSize(batchSize).progress(readerCpu).build();
                // the limits and CsvScorer in turns, round after round, so that all see the same load
                List<Measure> race = race(rounds, rows, List.of(
                        () -> csvReadWrite(csv),
                        () -> csvOwnWay(csv, batchSize),
                        ortAlone::run,
                        () -> {
                            readerCpu.start();
                            scorer.score(new ByteArrayInputStream(csv), OutputStream.nullOutputStream());
                            readerCpu.end(rows);
                        }));
                Measure csvAlone = race.get(0);
                Measure alone = race.get(2);
                Measure pipelined = race.get(3);
                print("  CSV alone (FastCSV read + write, no model)", csvAlone);
                print("  CSV alone, CsvScorer's own way (RowParser, CsvBytes)", race.get(1));
                print("  model alone: as exported, tensors built before timing", alone);
                List<InputBatch> parsed = parse(onnx, csv, batchSize);
                ScoredBatch scored = new ScoredBatch(batchSize);
                print("  model as CsvScorer runs it (codes), batches parsed before", best(rounds, rows, () -> {
                    for (InputBatch batch : parsed) {
                        onnx.score(batch, scored);
                    }
                }));
                parsed.clear();
                print("  CsvScorer, one thread", scorer(onnx, csv, batchSize, rounds, rows, CsvScorer.ReadAheadMode.NEVER));
                print("  CsvScorer, read-ahead thread", pipelined);
                System.out.printf("  %-60s %23.2f%n", "  of the other CPU, the read-ahead thread's", readerCpu.bestMicrosPerRow);
                double limit = Math.max(csvAlone.seconds, alone.seconds);
                System.out.printf("  %-60s %11.1f%%  (%s is the slower)%n", "CsvScorer / slower of CSV alone and model alone",
                        100 * limit / pipelined.seconds, csvAlone.seconds >= alone.seconds ? "CSV" : "model");
                double strict = Math.max(race.get(1).seconds, alone.seconds);
                System.out.printf("  %-60s %11.1f%%%n", "  same, CSV alone the own way", 100 * strict / pipelined.seconds);
            }
        }
        tinyInputs(models.values().iterator().next(), rounds);
    }

    /** Cost of one call for small inputs: all on the calling thread, the default (a thread after the first batch), a thread from the start. */
    private static void tinyInputs(byte[] model, int rounds) throws Exception {
        System.out.printf("tiny inputs, logistic regression, batch %d: µs per call%n", CsvScorer.DEFAULT_BATCH_SIZE);
        System.out.printf("  %8s %14s %22s %16s%n", "rows", "one thread", "default (after first)", "thread from start");
        try (OnnxModel onnx = OnnxModel.load(model)) {
            for (int n : new int[] {1, 10, 100, 512, 1_000, 2_000, 5_000}) {
                byte[] csv = AdultCensusData.csv(n).readAllBytes();
                int calls = Math.max(5, 20_000 / n);
                List<Round> modes = new ArrayList<>();
                for (CsvScorer.ReadAheadMode mode : CsvScorer.ReadAheadMode.values()) {
                    CsvScorer scorer = CsvScorer.builder(onnx).readAhead(mode).build();
                    modes.add(() -> {
                        for (int i = 0; i < calls; i++) {
                            scorer.score(new ByteArrayInputStream(csv), OutputStream.nullOutputStream());
                        }
                    });
                }
                List<Measure> race = race(rounds, calls, modes);
                double[] micros = new double[3];
                for (int m = 0; m < 3; m++) {
                    micros[m] = race.get(m).seconds * 1e6 / calls;
                }
                System.out.printf("  %,8d %14.0f %22.0f %16.0f%n", n, micros[0], micros[1], micros[2]);
            }
        }
    }

    private static Measure scorer(OnnxModel onnx, byte[] csv, int batchSize, int rounds, int rows,
                                  CsvScorer.ReadAheadMode mode) throws Exception {
        CsvScorer scorer = CsvScorer.builder(onnx).batchSize(batchSize).readAhead(mode).build();
        return best(rounds, rows, () -> scorer.score(new ByteArrayInputStream(csv), OutputStream.nullOutputStream()));
    }

    /** The rows of {@code csv} parsed into the model's batches, as CsvScorer fills them (codes looked up). */
    private static List<InputBatch> parse(OnnxModel model, byte[] csv, int batchSize) throws Exception {
        List<InputBatch> batches = new ArrayList<>();
        List<InputColumn> inputs = model.schema().inputs();
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(new ByteArrayInputStream(csv), StandardCharsets.UTF_8)) {
            List<String> header = null;
            InputBatch batch = null;
            for (CsvRecord record : reader) {
                if (header == null) {
                    header = record.getFields();
                    continue;
                }
                if (batch == null || batch.size() == batchSize) {
                    batch = model.newBatch(batchSize);
                    batches.add(batch);
                }
                int row = batch.size();
                for (int c = 0; c < inputs.size(); c++) {
                    String cell = record.getField(header.indexOf(inputs.get(c).name()));
                    if (inputs.get(c).kind() == ColumnKind.CATEGORICAL) {
                        batch.setString(c, row, cell);
                    } else {
                        batch.setFloat(c, row, Float.parseFloat(cell));
                    }
                }
                batch.size(row + 1);
            }
        }
        return batches;
    }

    private interface Round {
        void run() throws Exception;
    }

    /**
     * The best of {@code rounds} runs after one warm-up: the shortest wall time, and apart from it the least CPU time
     * per row on the calling thread and on all the others (the read-ahead thread, GC, JIT).
     */
    private record Measure(int rows, double seconds, double callerMicrosPerRow, double otherMicrosPerRow) {
    }

    /** {@code rounds} rounds in which each of {@code contenders} runs once, in turn; the best of each, in order. */
    private static List<Measure> race(int rounds, int rows, List<Round> contenders) throws Exception {
        for (Round round : contenders) {
            round.run();
        }
        int n = contenders.size();
        double[] wall = new double[n];
        double[] caller = new double[n];
        double[] other = new double[n];
        java.util.Arrays.fill(wall, Double.MAX_VALUE);
        java.util.Arrays.fill(caller, Double.MAX_VALUE);
        java.util.Arrays.fill(other, Double.MAX_VALUE);
        for (int i = 0; i < rounds; i++) {
            for (int c = 0; c < n; c++) {
                Measure one = once(rows, contenders.get(c));
                wall[c] = Math.min(wall[c], one.seconds);
                caller[c] = Math.min(caller[c], one.callerMicrosPerRow);
                other[c] = Math.min(other[c], one.otherMicrosPerRow);
            }
        }
        List<Measure> best = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            best.add(new Measure(rows, wall[c], caller[c], other[c]));
        }
        return best;
    }

    private static Measure once(int rows, Round round) throws Exception {
        long cpu0 = OS.getProcessCpuTime();
        long thread0 = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        round.run();
        double wall = (System.nanoTime() - start) / 1e9;
        long threadCpu = THREADS.getCurrentThreadCpuTime() - thread0;
        long processCpu = OS.getProcessCpuTime() - cpu0;
        return new Measure(rows, wall, threadCpu / 1e3 / rows, Math.max(0, processCpu - threadCpu) / 1e3 / rows);
    }

    private static Measure best(int rounds, int rows, Round round) throws Exception {
        return race(rounds, rows, List.of(round)).get(0);
    }

    /**
     * The CPU time of the read-ahead thread, read from the progress callback (on the calling thread) while it runs:
     * all of it but the last batch's.
     */
    private static final class ReaderCpu implements java.util.function.LongConsumer {
        private long threadId;
        private long cpu;
        double bestMicrosPerRow = Double.MAX_VALUE;

        void start() {
            threadId = -1;
            cpu = 0;
        }

        @Override
        public void accept(long rows) {
            if (threadId < 0) {
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (thread.getName().equals("csv-scorer-read-ahead")) {
                        threadId = thread.getId();
                    }
                }
            }
            long now = threadId < 0 ? -1 : THREADS.getThreadCpuTime(threadId);
            if (now > 0) {
                cpu = now;
            }
        }

        void end(int rows) {
            if (cpu > 0) {
                bestMicrosPerRow = Math.min(bestMicrosPerRow, cpu / 1e3 / rows);
            }
        }
    }

    private static void print(String what, Measure measure) {
        System.out.printf("%-62s %,12.0f %10.2f + %.2f%n", what, measure.rows / measure.seconds,
                measure.callerMicrosPerRow, measure.otherMicrosPerRow);
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
     * The CSV work CsvScorer does, on one thread and without a model: FastCSV parsing through {@link RowParser}
     * (fields written as output bytes, no model columns), then each row's text plus a constant label and
     * probability, to a null sink.
     */
    private static void csvOwnWay(byte[] csv, int batchSize) throws Exception {
        RowParser parser = new RowParser(List.of());
        CsvReader<RowParser> reader = CsvReader.builder().build(parser, new ByteArrayInputStream(csv), StandardCharsets.UTF_8);
        java.util.Iterator<RowParser> records = reader.iterator();
        records.next();
        int fields = parser.header().size();
        parser.startRows(new int[0], fields);
        CsvScorer.Chunk chunk = new CsvScorer.Chunk(new InputBatch(List.of(), new boolean[0], CategoryCodes.NONE, batchSize));
        CsvBytes out = new CsvBytes(64 * 1024);
        OutputStream sink = OutputStream.nullOutputStream();
        boolean more = true;
        while (more) {
            chunk.clear();
            parser.target(chunk);
            while (chunk.size() < batchSize && (more = records.hasNext())) {
                records.next();
                parser.commit(fields);
            }
            int start = 0;
            for (int i = 0; i < chunk.size(); i++) {
                out.add(chunk.text, start, chunk.rowEnds[i]);
                start = chunk.rowEnds[i];
                out.add(CsvBytes.SEPARATOR);
                out.addAscii(">50K");
                out.add(CsvBytes.SEPARATOR);
                out.addAscii(Float.toString(0.25f));
                out.endRecord();
                if (out.size() > 60_000) {
                    out.writeTo(sink);
                    out.clear();
                }
            }
        }
        out.writeTo(sink);
    }

    /**
     * The model as exported (strings in, as the caller gives them), with the rows parsed into input tensors before
     * timing; a round runs the session over all batches and reads the label and probability outputs, the way any
     * caller has to.
     */
    private static final class OrtAlone implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final List<Map<String, OnnxTensor>> batches = new ArrayList<>();

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
                for (int c = 0; c < features.size(); c++) {
                    String name = features.get(c);
                    if (AdultCensusModel.NUMERIC.contains(name)) {
                        FloatBuffer values = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
                        for (int r = 0; r < n; r++) {
                            values.put(r, Float.parseFloat(rows.get(start + r)[c]));
                        }
                        feeds.put(name, OnnxTensor.createTensor(env, values, shape));
                    } else {
                        String[] values = new String[n];
                        for (int r = 0; r < n; r++) {
                            values[r] = rows.get(start + r)[c];
                        }
                        feeds.put(name, OnnxTensor.createTensor(env, values, shape));
                    }
                }
                batches.add(feeds);
            }
        }

        void run() throws Exception {
            double sink = 0;
            for (Map<String, OnnxTensor> feeds : batches) {
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
                System.out.println(sink);
            }
        }

        @Override
        public void close() throws Exception {
            for (Map<String, OnnxTensor> feeds : batches) {
                feeds.values().forEach(OnnxTensor::close);
            }
            session.close();
        }
    }
}
