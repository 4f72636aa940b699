package io.batchpool.scoring;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;

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
 * thread ({@link ReadAhead}) parses the next batch ({@link RowParser}: the model's inputs, and each row's other
 * fields already as output bytes). At most {@value #CHUNKS} batches of rows exist at once, so the heap needed does
 * not depend on the size of the input. An input that fits in one batch is scored on the calling thread alone (no
 * thread is started for it: that is faster for tiny inputs, see {@code bin/bench-scoring}).
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
     * Scores {@code in} into {@code out}. Neither stream is closed; {@code out} is flushed. After its first batch,
     * {@code in} is read by a second thread, which has ended when this method returns.
     *
     * @return the number of rows scored
     * @throws ScoringException with a message naming the line and column at fault ({@code INVALID_INPUT}), a
     *                          model failure ({@code INVALID_MODEL}), {@code CANCELLED} or {@code DEADLINE_EXCEEDED}
     * @throws IOException      when reading {@code in} or writing {@code out} fails
     */
    public long score(InputStream in, OutputStream out) throws IOException, ScoringException {
        RowParser parser = new RowParser(model.schema().inputs());
        CsvReader<RowParser> reader = CsvReader.builder()
                .detectBomHeader(true)
                .skipEmptyLines(true)
                // field counts are checked here, to report them with the header's count
                .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
                .missingFieldStrategy(FieldMismatchStrategy.IGNORE)
                .build(parser, in, StandardCharsets.UTF_8);
        Output output = new Output(out);
        try {
            CloseableIterator<RowParser> records = reader.iterator();
            if (!hasNext(records)) {
                throw ScoringException.input("the input is empty: the first line must be a header naming the columns "
                        + String.join(", ", model.schema().columnNames()));
            }
            next(records);
            Rows rows = new Rows(parser, records);
            output.header(rows.header);
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
            output.flush();
            return output.scoredRows;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (ScoringException e) {
            output.flushQuietly();
            throw e;
        }
    }

    private static boolean hasNext(CloseableIterator<RowParser> records) throws ScoringException {
        try {
            return records.hasNext();
        } catch (CsvParseException e) {
            throw unreadable(e);
        }
    }

    private static void next(CloseableIterator<RowParser> records) throws ScoringException {
        try {
            records.next();
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

    /**
     * One batch of rows: the model's inputs parsed from them, and their pass-through part as the output will hold it
     * (each row's fields, quoted where needed, as UTF-8; the row ends at {@code rowEnds[i]} in {@code text}).
     */
    static final class Chunk {
        final InputBatch batch;
        final CsvBytes text;
        final int[] rowEnds;

        Chunk(InputBatch batch) {
            this.batch = batch;
            this.text = batch == null ? null : new CsvBytes(batch.capacity() * 128);
            this.rowEnds = batch == null ? null : new int[batch.capacity()];
        }

        int size() {
            return batch.size();
        }

        /** Where the text of the rows committed so far ends. */
        int committedText() {
            return batch.size() == 0 ? 0 : rowEnds[batch.size() - 1];
        }

        /** The record just parsed into the next row becomes part of the chunk. */
        void commitRow() {
            int row = batch.size();
            rowEnds[row] = text.size();
            batch.size(row + 1);
        }

        void clear() {
            batch.size(0);
            text.clear();
        }
    }

    /** Reads the input's rows into chunks ({@link RowParser} does the work); used by one thread at a time. */
    private final class Rows {
        private final CloseableIterator<RowParser> records;
        private final RowParser parser;
        private final List<String> header;
        private final int fieldCount;

        Rows(RowParser parser, CloseableIterator<RowParser> records) throws ScoringException {
            this.records = records;
            this.parser = parser;
            this.header = List.copyOf(parser.header());
            this.fieldCount = header.size();
            parser.startRows(mapColumns(header.toArray(new String[0]), model.schema().inputs()), fieldCount);
        }

        /** Fills {@code chunk} from the next rows; returns false once the input has ended. */
        boolean fill(Chunk chunk) throws ScoringException {
            chunk.clear();
            parser.target(chunk);
            InputBatch batch = chunk.batch;
            while (batch.size() < batch.capacity()) {
                if (!hasNext(records)) {
                    return false;
                }
                next(records);
                parser.commit(fieldCount);
            }
            return true;
        }
    }

    /** Scores chunks and writes them out, on the calling thread; checks cancellation and the deadline first. */
    private final class Output {
        /** Bytes gathered before they go to the stream. */
        private static final int WRITE_AT = 64 * 1024;
        /** Distinct labels whose CSV bytes are kept (a binary classifier has two). */
        private static final int LABELS_KEPT = 64;

        private final OutputStream out;
        private final CsvBytes text = new CsvBytes(WRITE_AT + 4096);
        private final ScoredBatch results;
        private final Map<String, byte[]> labels = new HashMap<>();
        private final CsvBytes label = new CsvBytes(64);
        private long scoredRows;

        Output(OutputStream out) {
            this.out = out;
            this.results = new ScoredBatch(batchSize);
        }

        void header(List<String> names) {
            for (int f = 0; f < names.size(); f++) {
                if (f > 0) {
                    text.add(CsvBytes.SEPARATOR);
                }
                text.field(names.get(f), f == 0);
            }
            text.add(CsvBytes.SEPARATOR);
            text.field(SCORED_LABELS, false);
            text.add(CsvBytes.SEPARATOR);
            text.field(SCORED_PROBABILITIES, false);
            text.endRecord();
        }

        void write(Chunk chunk) throws ScoringException, IOException {
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
            int start = 0;
            for (int i = 0; i < n; i++) {
                int end = chunk.rowEnds[i];
                text.add(chunk.text, start, end);
                start = end;
                text.add(CsvBytes.SEPARATOR);
                addLabel(results.label(i));
                text.add(CsvBytes.SEPARATOR);
                text.addAscii(Float.toString(results.probability(i)));
                text.endRecord();
                if (text.size() >= WRITE_AT) {
                    text.writeTo(out);
                    text.clear();
                }
            }
            scoredRows += n;
            progress.accept(scoredRows);
        }

        private void addLabel(String value) {
            byte[] bytes = labels.get(value);
            if (bytes == null) {
                label.clear();
                label.field(value, false);
                bytes = label.toByteArray();
                if (labels.size() < LABELS_KEPT) {
                    labels.put(value, bytes);
                }
            }
            text.add(bytes, 0, bytes.length);
        }

        void flush() throws IOException {
            text.writeTo(out);
            text.clear();
            out.flush();
        }

        /** Hands the batches written so far to {@code out}; the scoring error matters more than a failing flush. */
        void flushQuietly() {
            try {
                flush();
            } catch (IOException | RuntimeException ignored) {
                // the ScoringException being thrown says what went wrong
            }
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
