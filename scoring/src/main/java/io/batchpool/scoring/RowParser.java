package io.batchpool.scoring;

import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CsvParseException;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns each CSV record, while FastCSV parses it, straight into a row of a {@link CsvScorer.Chunk}, in one pass over
 * each field's chars: the field as the output will hold it ({@link CsvBytes}: the record's pass-through part, in the
 * chunk's text), and, for a column the model reads, its value in the chunk's {@link InputBatch} (numbers parsed from
 * the chars, categories looked up as codes). No String is made per cell, and the calling thread is left only the
 * model's two columns to write.
 *
 * <p>The first record is the header, kept as strings. A row becomes part of the chunk only through {@link #commit},
 * which checks the field count and reports the first bad cell in the model's column order (as the single-threaded
 * scorer always did); a record FastCSV skips (an empty line) is overwritten by the next. FastCSV's own limits on
 * fields and sizes apply, with its messages.
 */
final class RowParser extends AbstractBaseCsvCallbackHandler<RowParser> {

    // the defaults of FastCSV's CsvRecordHandler, which read the input before this class
    private static final int MAX_FIELDS = 16_384;
    private static final int MAX_FIELD_SIZE = 16 * 1024 * 1024;
    private static final int MAX_RECORD_SIZE = 4 * MAX_FIELD_SIZE;
    /** Longest cell text quoted in an error message. */
    private static final int MAX_QUOTED_VALUE = 100;

    private static final byte CATEGORY = 0;
    private static final byte FLOAT = 1;
    private static final byte DOUBLE = 2;

    private final List<InputColumn> inputs;
    /** Per model input: {@link #CATEGORY}, {@link #FLOAT} or {@link #DOUBLE} (known once a batch is given). */
    private byte[] kinds;
    private List<String> header = new ArrayList<>();
    /** Per field of a data row: the model input it feeds, or -1. */
    private int[] inputOfField;
    private CsvScorer.Chunk chunk;
    private int recordSize;
    /** The first bad cell of the current record in the model's column order: its input index and the message. */
    private int failedInput;
    private String failure;

    RowParser(List<InputColumn> inputs) {
        this.inputs = inputs;
    }

    /** The header's fields; null once data rows are read. */
    List<String> header() {
        return header;
    }

    /** After the header: data rows follow, field {@code f} feeding model input {@code fieldOfInput[c] == f}. */
    void startRows(int[] fieldOfInput, int fieldCount) {
        header = null;
        inputOfField = new int[fieldCount];
        java.util.Arrays.fill(inputOfField, -1);
        for (int c = 0; c < fieldOfInput.length; c++) {
            inputOfField[fieldOfInput[c]] = c;
        }
    }

    /** The chunk the next rows go to (its text and batch from where they are committed). */
    void target(CsvScorer.Chunk chunk) {
        this.chunk = chunk;
        if (kinds == null) {
            kinds = new byte[inputs.size()];
            for (int c = 0; c < kinds.length; c++) {
                kinds[c] = inputs.get(c).kind() == ColumnKind.CATEGORICAL ? CATEGORY
                        : chunk.batch.isDouble(c) ? DOUBLE : FLOAT;
            }
        }
    }

    @Override
    protected void handleBegin(long startingLineNumber) {
        recordSize = 0;
        failedInput = Integer.MAX_VALUE;
        failure = null;
        if (chunk != null) {
            chunk.text.truncate(chunk.committedText());
        }
    }

    @Override
    protected void handleField(int index, char[] chars, int offset, int length, boolean quoted) {
        checkLimits(index, length);
        if (header != null) {
            header.add(new String(chars, offset, length));
            return;
        }
        CsvBytes text = chunk.text;
        if (index > 0) {
            text.add(CsvBytes.SEPARATOR);
        }
        text.field(chars, offset, length, index == 0);
        int input = index < inputOfField.length ? inputOfField[index] : -1;
        if (input >= 0) {
            value(input, chars, offset, length);
        }
    }

    @Override
    protected RowParser buildRecord() {
        return this;
    }

    /**
     * Makes the record just parsed the chunk's next row.
     *
     * @throws ScoringException ({@code INVALID_INPUT}) for a wrong field count or the first bad cell
     */
    void commit(int headerFieldCount) throws ScoringException {
        int fields = getFieldCount();
        if (fields != headerFieldCount) {
            throw ScoringException.input("line " + getStartingLineNumber() + ": " + fields
                    + (fields == 1 ? " field" : " fields") + ", but the header has " + headerFieldCount);
        }
        if (failure != null) {
            throw ScoringException.input(failure);
        }
        chunk.commitRow();
    }

    private void value(int input, char[] chars, int offset, int length) {
        InputBatch batch = chunk.batch;
        int row = batch.size();
        byte kind = kinds[input];
        if (kind == CATEGORY) {
            batch.setCategory(input, row, chars, offset, length);
            return;
        }
        long integer = Numbers.parseSmallInteger(chars, offset, length);
        boolean asDouble = kind == DOUBLE;
        if (integer != Numbers.NOT_SMALL_INTEGER) {
            // exact in a double, and (float) of it rounds as Float.parseFloat would
            if (asDouble) {
                batch.setDouble(input, row, integer);
            } else {
                batch.setFloat(input, row, integer);
            }
            return;
        }
        String cell = new String(chars, offset, length);
        if (Numbers.isBlank(cell)) {
            fail(input, "the value is empty; numeric columns need a number in every row");
        } else if (!Numbers.isPlainDecimal(cell)) {
            fail(input, quote(cell) + " is not a number");
        } else if (asDouble) {
            double value = Double.parseDouble(cell);
            if (Double.isInfinite(value)) {
                fail(input, quote(cell) + " is too large for a double column");
            } else {
                batch.setDouble(input, row, value);
            }
        } else {
            float value = Float.parseFloat(cell);
            if (Float.isInfinite(value)) {
                fail(input, quote(cell) + " is too large for a float column");
            } else {
                batch.setFloat(input, row, value);
            }
        }
    }

    private void fail(int input, String problem) {
        if (input < failedInput) {
            failedInput = input;
            failure = "line " + getStartingLineNumber() + ", column '" + inputs.get(input).name() + "': " + problem;
        }
    }

    private static String quote(String value) {
        String shown = value.length() > MAX_QUOTED_VALUE ? value.substring(0, MAX_QUOTED_VALUE) + "..." : value;
        return "'" + shown + "'";
    }

    /** FastCSV's limits, checked in its order, with its messages (FastCSV passes them on as they are). */
    private void checkLimits(int index, int length) {
        if (length > MAX_FIELD_SIZE) {
            throw new CsvParseException("Field at index %d in record starting at line %d exceeds the max field size of %d characters"
                    .formatted(index, getStartingLineNumber(), MAX_FIELD_SIZE));
        }
        if (recordSize + length > MAX_RECORD_SIZE) {
            throw new CsvParseException("Field at index %d in record starting at line %d exceeds the max record size of %d characters"
                    .formatted(index, getStartingLineNumber(), MAX_RECORD_SIZE));
        }
        if (index >= MAX_FIELDS) {
            throw new CsvParseException("Record starting at line %d has surpassed the maximum limit of %d fields"
                    .formatted(getStartingLineNumber(), MAX_FIELDS));
        }
        recordSize += length;
    }
}
