package io.batchpool.scoring;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Up to {@code capacity} rows of model inputs, column by column, reused from batch to batch. Cells are set into plain
 * arrays (cheap for the thread that parses); just before ONNX Runtime reads a numeric column, or a categorical one it
 * takes as int64 codes ({@link CategoryCodes}), the column is copied in one bulk copy into a direct buffer, which ONNX
 * Runtime reads without a further copy. Made by {@link OnnxModel#newBatch(int)}; not thread-safe: one thread fills
 * it, then one thread scores it.
 */
public final class InputBatch {

    private final List<InputColumn> columns;
    private final int capacity;
    /** Per column: a float[], a double[], a long[] of category codes or a String[]. */
    private final Object[] data;
    /** Per column but string ones: the direct buffer handed to ONNX Runtime. */
    private final Buffer[] direct;
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
        this.direct = new Buffer[columns.size()];
        this.codes = new CategoryCodes.Column[columns.size()];
        this.cells = new String[columns.size()][];
        for (int c = 0; c < data.length; c++) {
            CategoryCodes.Column coded = categoryCodes.column(columns.get(c).name());
            if (columns.get(c).kind() == ColumnKind.CATEGORICAL && coded != null) {
                codes[c] = coded;
                cells[c] = new String[capacity];
                data[c] = new long[capacity];
                direct[c] = ByteBuffer.allocateDirect(capacity * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
            } else if (columns.get(c).kind() == ColumnKind.CATEGORICAL) {
                data[c] = new String[capacity];
            } else if (doubleColumns[c]) {
                data[c] = new double[capacity];
                direct[c] = ByteBuffer.allocateDirect(capacity * Double.BYTES).order(ByteOrder.nativeOrder()).asDoubleBuffer();
            } else {
                data[c] = new float[capacity];
                direct[c] = ByteBuffer.allocateDirect(capacity * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
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
        return data[column] instanceof double[];
    }

    public void setFloat(int column, int row, float value) {
        Object values = data[column];
        if (values instanceof float[] floats) {
            floats[row] = value;
        } else if (values instanceof double[] doubles) {
            doubles[row] = value;
        } else {
            throw new IllegalArgumentException("column " + columns.get(column).name() + " is categorical");
        }
    }

    public void setDouble(int column, int row, double value) {
        Object values = data[column];
        if (values instanceof double[] doubles) {
            doubles[row] = value;
        } else if (values instanceof float[] floats) {
            floats[row] = (float) value;
        } else {
            throw new IllegalArgumentException("column " + columns.get(column).name() + " is categorical");
        }
    }

    public void setString(int column, int row, String value) {
        CategoryCodes.Column coded = codes[column];
        if (coded != null) {
            ((long[]) data[column])[row] = coded.code(value);
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
            ((long[]) data[column])[row] = coded.code(chars, offset, length);
            cells[column][row] = null;
        } else {
            setString(column, row, new String(chars, offset, length));
        }
    }

    /** One cell as text, for messages. */
    String cell(int column, int row) {
        Object values = data[column];
        if (values instanceof float[] floats) {
            return Float.toString(floats[row]);
        } else if (values instanceof double[] doubles) {
            return Double.toString(doubles[row]);
        } else if (codes[column] != null) {
            return "'" + cells[column][row] + "'";
        }
        return "'" + ((String[]) values)[row] + "'";
    }

    /** True when this categorical column goes to the model as int64 codes ({@link #codes}), not strings. */
    boolean isCoded(int column) {
        return codes[column] != null;
    }

    /** The first {@code size} values of a float column, in its direct buffer positioned for ONNX Runtime. */
    FloatBuffer floats(int column) {
        FloatBuffer floats = (FloatBuffer) direct[column];
        floats.clear();
        floats.put(0, (float[]) data[column], 0, size).limit(size);
        return floats;
    }

    DoubleBuffer doubles(int column) {
        DoubleBuffer doubles = (DoubleBuffer) direct[column];
        doubles.clear();
        doubles.put(0, (double[]) data[column], 0, size).limit(size);
        return doubles;
    }

    /** The first {@code size} codes of a coded categorical column, in its direct buffer positioned for ONNX Runtime. */
    LongBuffer codes(int column) {
        LongBuffer longs = (LongBuffer) direct[column];
        longs.clear();
        longs.put(0, (long[]) data[column], 0, size).limit(size);
        return longs;
    }

    /** The first {@code size} values of a string column (a copy only for a partly filled batch). */
    String[] strings(int column) {
        String[] strings = (String[]) data[column];
        return size == capacity ? strings : Arrays.copyOf(strings, size);
    }
}
