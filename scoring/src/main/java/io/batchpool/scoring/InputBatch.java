package io.batchpool.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Up to {@code capacity} rows of model inputs, column by column, reused from batch to batch (numeric columns live in
 * direct buffers that ONNX Runtime reads without a copy; so do categorical columns that the model takes as int64
 * codes, see {@link CategoryCodes}). Made by {@link OnnxModel#newBatch(int)}; not thread-safe: one thread fills it,
 * then one thread scores it.
 */
public final class InputBatch {

    private final List<InputColumn> columns;
    private final int capacity;
    /** Per column: a FloatBuffer, a DoubleBuffer, a LongBuffer of category codes or a String[]. */
    private final Object[] data;
    /** Per coded categorical column: its codes and the cells as written (for messages); else null. */
    private final CategoryCodes.Column[] codes;
    private final String[][] cells;
    private int size;

    InputBatch(List<InputColumn> columns, boolean[] doubleColumns, CategoryCodes categoryCodes, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.columns = columns;
        this.capacity = capacity;
        this.data = new Object[columns.size()];
        this.codes = new CategoryCodes.Column[columns.size()];
        this.cells = new String[columns.size()][];
        for (int c = 0; c < data.length; c++) {
            CategoryCodes.Column coded = categoryCodes.column(columns.get(c).name());
            if (columns.get(c).kind() == ColumnKind.CATEGORICAL && coded != null) {
                codes[c] = coded;
                cells[c] = new String[capacity];
                data[c] = ByteBuffer.allocateDirect(capacity * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
            } else if (columns.get(c).kind() == ColumnKind.CATEGORICAL) {
                data[c] = new String[capacity];
            } else if (doubleColumns[c]) {
                data[c] = ByteBuffer.allocateDirect(capacity * Double.BYTES).order(ByteOrder.nativeOrder()).asDoubleBuffer();
            } else {
                data[c] = ByteBuffer.allocateDirect(capacity * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            }
        }
    }

    public int capacity() {
        return capacity;
    }

    /** Number of rows filled in; rows {@code [0, size)} are scored. */
    public int size() {
        return size;
    }

    public void size(int rows) {
        if (rows < 0 || rows > capacity) {
            throw new IllegalArgumentException("size must be in [0, " + capacity + "], got " + rows);
        }
        this.size = rows;
    }

    public List<InputColumn> columns() {
        return columns;
    }

    /** True when the model declares this numeric column as double rather than float. */
    public boolean isDouble(int column) {
        return data[column] instanceof DoubleBuffer;
    }

    public void setFloat(int column, int row, float value) {
        Object values = data[column];
        if (values instanceof FloatBuffer floats) {
            floats.put(row, value);
        } else if (values instanceof DoubleBuffer doubles) {
            doubles.put(row, value);
        } else {
            throw new IllegalArgumentException("column " + columns.get(column).name() + " is categorical");
        }
    }

    public void setDouble(int column, int row, double value) {
        Object values = data[column];
        if (values instanceof DoubleBuffer doubles) {
            doubles.put(row, value);
        } else if (values instanceof FloatBuffer floats) {
            floats.put(row, (float) value);
        } else {
            throw new IllegalArgumentException("column " + columns.get(column).name() + " is categorical");
        }
    }

    public void setString(int column, int row, String value) {
        CategoryCodes.Column coded = codes[column];
        if (coded != null) {
            ((LongBuffer) data[column]).put(row, coded.code(value));
            cells[column][row] = value;
        } else if (data[column] instanceof String[] strings) {
            strings[row] = value;
        } else {
            throw new IllegalArgumentException("column " + columns.get(column).name() + " is numeric");
        }
    }

    /**
     * A categorical cell given as {@code length} chars of {@code chars} from {@code offset} (the CSV parser's buffer):
     * a coded column takes the code without making a String (and keeps no text of the cell for messages).
     */
    void setCategory(int column, int row, char[] chars, int offset, int length) {
        CategoryCodes.Column coded = codes[column];
        if (coded != null) {
            ((LongBuffer) data[column]).put(row, coded.code(chars, offset, length));
            cells[column][row] = null;
        } else {
            setString(column, row, new String(chars, offset, length));
        }
    }

    /** One cell as text, for messages. */
    String cell(int column, int row) {
        Object values = data[column];
        if (values instanceof FloatBuffer floats) {
            return Float.toString(floats.get(row));
        } else if (values instanceof DoubleBuffer doubles) {
            return Double.toString(doubles.get(row));
        } else if (codes[column] != null) {
            return "'" + cells[column][row] + "'";
        }
        return "'" + ((String[]) values)[row] + "'";
    }

    /** The first {@code size} values of a float column, positioned for ONNX Runtime. */
    FloatBuffer floats(int column) {
        FloatBuffer floats = (FloatBuffer) data[column];
        floats.clear();
        floats.limit(size);
        return floats;
    }

    DoubleBuffer doubles(int column) {
        DoubleBuffer doubles = (DoubleBuffer) data[column];
        doubles.clear();
        doubles.limit(size);
        return doubles;
    }

    /** True when this categorical column goes to the model as int64 codes ({@link #codes}), not strings. */
    boolean isCoded(int column) {
        return codes[column] != null;
    }

    /** The first {@code size} codes of a coded categorical column, positioned for ONNX Runtime. */
    LongBuffer codes(int column) {
        LongBuffer longs = (LongBuffer) data[column];
        longs.clear();
        longs.limit(size);
        return longs;
    }

    /** The first {@code size} values of a string column (a copy only for a partly filled batch). */
    String[] strings(int column) {
        String[] strings = (String[]) data[column];
        return size == capacity ? strings : Arrays.copyOf(strings, size);
    }
}
