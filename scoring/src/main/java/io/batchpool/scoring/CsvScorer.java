package io.batchpool.scoring;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import de.siegmar.fastcsv.writer.CsvWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Streams an input CSV (UTF-8, header row first) through a model into an output CSV: every input column in order,
 * then {@code Scored Labels} and {@code Scored Probabilities}. Rows are scored {@code batchSize} at a time.
 *
 * <p>Two threads share the work: while the calling thread runs the model on one batch and writes it, a read-ahead
 * thread parses the next batch ({@link ReadAhead}). At most {@value #CHUNKS} batches of rows exist at once, so the
 * heap needed does not depend on the size of the input. An input that fits in one batch is scored on the calling
 * thread alone (no thread is started for it).
 *
 * <p>A header-only input gives a header-only output. Before each batch the cancellation flag and the deadline are
 * checked. On any error the output holds the rows of the batches written before it: write to a temporary place.
 *
 * <p>One instance per job (it holds the job's progress callback, flag and deadline); not thread-safe. The
 * {@link OnnxModel} may be shared. The callbacks are called on the thread that calls {@link #score}.
 */
public final class CsvScorer {

    public static final String SCORED_LABELS = "Scored Labels";
    public static final String SCORED_PROBABILITIES = "Scored Probabilities";
    public static final int DEFAULT_BATCH_SIZE = 512;
    /** Batches of rows in flight: one being parsed, one waiting, one being scored and written. */
    static final int CHUNKS = 3;

    /** Longest cell text quoted in an error message. */
    private static final int MAX_QUOTED_VALUE = 100;

    private final OnnxModel model;
    private final int batchSize;
    private final LongConsumer progress;
    private final BooleanSupplier cancelled;
    private final Instant deadline;
    private final Clock clock;
    private final ReadAheadMode readAhead;

    private CsvScorer(Builder builder) {
        this.model = builder.model;
        this.batchSize = builder.batchSize;
        this.progress = builder.progress;
        this.cancelled = builder.cancelled;
        this.deadline = builder.deadline;
        this.clock = builder.clock;
        this.readAhead = builder.readAhead;
    }

    public static Builder builder(OnnxModel model) {
        return new Builder(model);
    }

    /**
     * Scores {@code in} into {@code out}. Neither stream is closed; {@code out} is flushed. {@code in} is read by a
     * second thread, which has ended when this method returns.
     *
     * @return the number of rows scored
     * @throws ScoringException with a message naming the line and column at fault ({@code INVALID_INPUT}), a
     *                          model failure ({@code INVALID_MODEL}), {@code CANCELLED} or {@code DEADLINE_EXCEEDED}
     * @throws IOException      when reading {@code in} or writing {@code out} fails
     */
    public long score(InputStream in, OutputStream out) throws IOException, ScoringException {
        CsvReader<CsvRecord> reader = CsvReader.builder()
                .detectBomHeader(true)
                .skipEmptyLines(true)
                // field counts are checked here, to report them with the header's count
                .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
                .missingFieldStrategy(FieldMismatchStrategy.IGNORE)
                .ofCsvRecord(in, StandardCharsets.UTF_8);
        CsvWriter writer = CsvWriter.builder().build(out, StandardCharsets.UTF_8);
        try {
            CloseableIterator<CsvRecord> records = reader.iterator();
            if (!hasNext(records)) {
                throw ScoringException.input("the input is empty: the first line must be a header naming the columns "
                        + String.join(", ", model.schema().columnNames()));
            }
            Rows rows = new Rows(next(records), records);
            Output output = new Output(rows, writer);
            Chunk first = new Chunk(model.newBatch(batchSize));
            boolean more = readAhead != ReadAheadMode.ALWAYS && rows.fill(first);
            if (readAhead == ReadAheadMode.NEVER || readAhead == ReadAheadMode.AFTER_FIRST_BATCH && !more) {
                // one batch: starting a thread would cost more than it saves (bin/bench-scoring measures it)
                output.write(first);
                while (more) {
                    more = rows.fill(first);
                    output.write(first);
                }
            } else {
                List<Chunk> empty = new ArrayList<>();
                for (int i = 1; i < CHUNKS; i++) {
                    empty.add(new Chunk(model.newBatch(batchSize)));
                }
                if (readAhead == ReadAheadMode.ALWAYS) {
                    empty.add(first);
                    first = null;
                }
                try (ReadAhead ahead = ReadAhead.start(rows::fill, first, empty)) {
                    for (Chunk chunk = ahead.next(); chunk != null; chunk = ahead.next()) {
                        output.write(chunk);
                        ahead.giveBack(chunk);
                    }
                }
            }
            writer.flush();
            return output.scoredRows;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (ScoringException e) {
            flushQuietly(writer);
            throw e;
        }
    }

    /** Hands the batches written so far to {@code out}; the scoring error matters more than a failing flush. */
    private static void flushQuietly(CsvWriter writer) {
        try {
            writer.flush();
        } catch (IOException | UncheckedIOException ignored) {
            // the ScoringException being thrown says what went wrong
        }
    }

    private static boolean hasNext(CloseableIterator<CsvRecord> records) throws ScoringException {
        try {
            return records.hasNext();
        } catch (CsvParseException e) {
            throw unreadable(e);
        }
    }

    private static CsvRecord next(CloseableIterator<CsvRecord> records) throws ScoringException {
        try {
            return records.next();
        } catch (CsvParseException e) {
            throw unreadable(e);
        }
    }

    private static ScoringException unreadable(CsvParseException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
            throw new UncheckedIOException(io);
        }
        String detail = cause != null && cause.getMessage() != null ? e.getMessage() + ": " + cause.getMessage() : e.getMessage();
        return new ScoringException(ScoringException.Reason.INVALID_INPUT, "the input is not valid CSV: " + detail, e);
    }

    /** When {@link #score} parses on a read-ahead thread. */
    enum ReadAheadMode {
        /** Everything on the calling thread. */
        NEVER,
        /** The first batch on the calling thread; a thread for the rest, if there is more (the default). */
        AFTER_FIRST_BATCH,
        /** Every batch on the read-ahead thread, even the first. */
        ALWAYS
    }

    /** One batch of rows: the model inputs parsed from them, and the records themselves for the pass-through. */
    static final class Chunk {
        final InputBatch batch;
        final CsvRecord[] records;

        Chunk(InputBatch batch) {
            this.batch = batch;
            this.records = batch == null ? null : new CsvRecord[batch.capacity()];
        }

        int size() {
            return batch.size();
        }
    }

    /** Reads the input's rows into chunks, parsing the model's columns; used by one thread at a time. */
    private final class Rows {
        private final CloseableIterator<CsvRecord> records;
        private final List<String> header;
        private final int fieldCount;
        /** Per model input: its field index in the input rows. */
        private final int[] fieldOfInput;
        private final List<InputColumn> inputs;

        Rows(CsvRecord header, CloseableIterator<CsvRecord> records) throws ScoringException {
            this.records = records;
            this.header = header.getFields();
            this.fieldCount = header.getFieldCount();
            this.inputs = model.schema().inputs();
            this.fieldOfInput = mapColumns(this.header.toArray(new String[0]), inputs);
        }

        /** Fills {@code chunk} from the next rows; returns false once the input has ended. */
        boolean fill(Chunk chunk) throws ScoringException {
            InputBatch batch = chunk.batch;
            batch.size(0);
            while (batch.size() < batch.capacity()) {
                if (!hasNext(records)) {
                    return false;
                }
                add(chunk, next(records));
            }
            return true;
        }

        private void add(Chunk chunk, CsvRecord record) throws ScoringException {
            if (record.getFieldCount() != fieldCount) {
                throw ScoringException.input("line " + record.getStartingLineNumber() + ": " + record.getFieldCount()
                        + (record.getFieldCount() == 1 ? " field" : " fields") + ", but the header has " + fieldCount);
            }
            InputBatch batch = chunk.batch;
            int row = batch.size();
            for (int c = 0; c < fieldOfInput.length; c++) {
                String cell = record.getField(fieldOfInput[c]);
                if (inputs.get(c).kind() == ColumnKind.CATEGORICAL) {
                    batch.setString(c, row, cell);
                } else if (batch.isDouble(c)) {
                    batch.setDouble(c, row, parse(record, c, cell, true));
                } else {
                    batch.setFloat(c, row, (float) parse(record, c, cell, false));
                }
            }
            chunk.records[row] = record;
            batch.size(row + 1);
        }

        private double parse(CsvRecord record, int input, String cell, boolean asDouble) throws ScoringException {
            long integer = Numbers.parseSmallInteger(cell);
            if (integer != Numbers.NOT_SMALL_INTEGER) {
                return integer; // exact in a double, and (float) of it rounds as Float.parseFloat would
            }
            if (Numbers.isBlank(cell)) {
                throw ScoringException.input(where(record, input) + "the value is empty; numeric columns need a number"
                        + " in every row");
            }
            if (!Numbers.isPlainDecimal(cell)) {
                throw ScoringException.input(where(record, input) + quote(cell) + " is not a number");
            }
            double value = asDouble ? Double.parseDouble(cell) : Float.parseFloat(cell);
            if (Double.isInfinite(value)) {
                throw ScoringException.input(where(record, input) + quote(cell) + " is too large for a "
                        + (asDouble ? "double" : "float") + " column");
            }
            return value;
        }

        private String where(CsvRecord record, int input) {
            return "line " + record.getStartingLineNumber() + ", column '" + inputs.get(input).name() + "': ";
        }
    }

    /** Scores chunks and writes them out, on the calling thread; checks cancellation and the deadline first. */
    private final class Output {
        private final CsvWriter writer;
        private final int fieldCount;
        private final ScoredBatch results;
        private long scoredRows;

        Output(Rows rows, CsvWriter writer) {
            this.writer = writer;
            this.fieldCount = rows.fieldCount;
            this.results = new ScoredBatch(batchSize);
            List<String> outputHeader = new ArrayList<>(rows.header);
            outputHeader.add(SCORED_LABELS);
            outputHeader.add(SCORED_PROBABILITIES);
            writer.writeRecord(outputHeader);
        }

        void write(Chunk chunk) throws ScoringException {
            int n = chunk.size();
            if (n == 0) {
                return;
            }
            if (cancelled.getAsBoolean()) {
                throw new ScoringException(ScoringException.Reason.CANCELLED,
                        "scoring was cancelled after " + scoredRows + " rows");
            }
            if (deadline != null && !clock.instant().isBefore(deadline)) {
                throw new ScoringException(ScoringException.Reason.DEADLINE_EXCEEDED,
                        "scoring stopped at the run-time limit (" + deadline + ") after " + scoredRows + " rows");
            }
            model.score(chunk.batch, results);
            for (int i = 0; i < n; i++) {
                CsvWriter.CsvWriterRecord out = writer.writeRecord();
                CsvRecord row = chunk.records[i];
                for (int f = 0; f < fieldCount; f++) {
                    out.writeField(row.getField(f));
                }
                out.writeField(results.label(i));
                out.writeField(Float.toString(results.probability(i)));
                out.endRecord();
                chunk.records[i] = null;
            }
            scoredRows += n;
            progress.accept(scoredRows);
        }
    }

    private static int[] mapColumns(String[] header, List<InputColumn> inputs) throws ScoringException {
        Map<String, Integer> byName = new HashMap<>();
        for (int f = 0; f < header.length; f++) {
            Integer previous = byName.put(header[f].trim(), f);
            if (previous != null && isInput(header[f].trim(), inputs)) {
                throw ScoringException.input("the header names column '" + header[f].trim() + "' twice (columns "
                        + (previous + 1) + " and " + (f + 1) + ")");
            }
        }
        int[] fields = new int[inputs.size()];
        List<String> missing = new ArrayList<>();
        for (int c = 0; c < inputs.size(); c++) {
            Integer field = byName.get(inputs.get(c).name());
            if (field == null) {
                missing.add(inputs.get(c).name());
            } else {
                fields[c] = field;
            }
        }
        if (!missing.isEmpty()) {
            throw ScoringException.input("the header (line 1) is missing " + (missing.size() == 1 ? "the column " : "the columns ")
                    + String.join(", ", missing) + " that the model needs; the header has "
                    + String.join(", ", header));
        }
        return fields;
    }

    private static boolean isInput(String name, List<InputColumn> inputs) {
        for (InputColumn input : inputs) {
            if (input.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String quote(String value) {
        String shown = value.length() > MAX_QUOTED_VALUE ? value.substring(0, MAX_QUOTED_VALUE) + "..." : value;
        return "'" + shown + "'";
    }

    /** Settings of one scoring run. */
    public static final class Builder {
        private final OnnxModel model;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private LongConsumer progress = rows -> { };
        private BooleanSupplier cancelled = () -> false;
        private Instant deadline;
        private Clock clock = Clock.systemUTC();
        private ReadAheadMode readAhead = ReadAheadMode.AFTER_FIRST_BATCH;

        private Builder(OnnxModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** Rows per ONNX Runtime call (default 512); the rows of one batch are all that is held in memory. */
        public Builder batchSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + rows);
            }
            this.batchSize = rows;
            return this;
        }

        /** Called after each batch with the number of rows scored so far. */
        public Builder progress(LongConsumer rowsScored) {
            this.progress = Objects.requireNonNull(rowsScored, "rowsScored");
            return this;
        }

        /** Checked before each batch; when true, scoring ends with {@code CANCELLED}. */
        public Builder cancelled(BooleanSupplier flag) {
            this.cancelled = Objects.requireNonNull(flag, "flag");
            return this;
        }

        /** Checked before each batch; once reached, scoring ends with {@code DEADLINE_EXCEEDED}. */
        public Builder deadline(Instant deadline) {
            this.deadline = deadline;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** When the read-ahead thread is used; the benchmark and tests compare the ways. */
        Builder readAhead(ReadAheadMode mode) {
            this.readAhead = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public CsvScorer build() {
            return new CsvScorer(this);
        }
    }
}
