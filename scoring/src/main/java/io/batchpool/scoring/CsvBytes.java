package io.batchpool.scoring;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer of UTF-8 CSV text, with fields written exactly as FastCSV's {@code CsvWriter} writes them
 * with its defaults (the output contract was defined by it, and {@code CsvBytesTest} compares the two): a field is
 * quoted when it holds a quote, a comma, CR or LF, or when it is the first of its record and starts with {@code #};
 * quotes inside are doubled; an empty field is written as nothing; a lone surrogate becomes {@code ?}. Writing from
 * the parser's chars straight to bytes skips a String per cell and the writer's char buffer.
 */
final class CsvBytes {

    static final byte SEPARATOR = ',';
    private static final char QUOTE = '"';
    private static final char COMMENT = '#';

    /** The ASCII characters that make FastCSV's writer quote a field. */
    private static final boolean[] QUOTED = new boolean[0x80];

    static {
        QUOTED[QUOTE] = true;
        QUOTED[SEPARATOR] = true;
        QUOTED['\n'] = true;
        QUOTED['\r'] = true;
    }

    private byte[] bytes;
    private int size;

    CsvBytes(int capacity) {
        this.bytes = new byte[Math.max(16, capacity)];
    }

    int size() {
        return size;
    }

    /** Drops everything from {@code size} on. */
    void truncate(int size) {
        this.size = size;
    }

    void clear() {
        size = 0;
    }

    void add(byte b) {
        if (size == bytes.length) {
            grow(1);
        }
        bytes[size++] = b;
    }

    void add(byte[] source, int offset, int length) {
        if (size + length > bytes.length) {
            grow(length);
        }
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    void add(CsvBytes source, int from, int to) {
        add(source.bytes, from, to - from);
    }

    void endRecord() {
        add((byte) '\r');
        add((byte) '\n');
    }

    /** Text that never needs quotes (e.g. {@code Float.toString}); ASCII only. */
    void addAscii(String text) {
        int length = text.length();
        if (size + length > bytes.length) {
            grow(length);
        }
        text.getBytes(0, length, bytes, size); // ASCII: one byte per char
        size += length;
    }

    void field(String value, boolean first) {
        char[] chars = value.toCharArray();
        field(chars, 0, chars.length, first);
    }

    /** One field's text as FastCSV's writer puts it: quoted when needed, as UTF-8. */
    void field(char[] chars, int offset, int length, boolean first) {
        if (length == 0) {
            return;
        }
        if (size + length > bytes.length) {
            grow(length);
        }
        // the common case, ASCII that needs no quotes: copied in one branch-free pass (buffer and position in
        // locals), then checked; anything else is written again by the general path
        byte[] out = bytes;
        int position = size;
        int all = 0;
        boolean quote = false;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            all |= c;
            quote |= QUOTED[c & 0x7F];
            out[position++] = (byte) c;
        }
        if (all >= 0x80) {
            encodeField(chars, offset, length, (first && chars[offset] == COMMENT) || needsQuotes(chars, offset, end));
        } else if (quote || first && chars[offset] == COMMENT) {
            encodeField(chars, offset, length, true);
        } else {
            size = position;
        }
    }

    private static boolean needsQuotes(char[] chars, int offset, int end) {
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80 && QUOTED[c]) {
                return true;
            }
        }
        return false;
    }

    /** The general path: any characters, quotes doubled when quoted. */
    private void encodeField(char[] chars, int offset, int length, boolean quote) {
        if (quote) {
            add((byte) QUOTE);
        }
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (size + 4 > bytes.length) {
                grow(4);
            }
            if (c < 0x80) {
                if (quote && c == QUOTE) {
                    bytes[size++] = (byte) QUOTE;
                }
                bytes[size++] = (byte) c;
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                int point = Character.toCodePoint(c, chars[++i]);
                bytes[size++] = (byte) (0xF0 | (point >> 18));
                bytes[size++] = (byte) (0x80 | ((point >> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((point >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (point & 0x3F));
            } else if (Character.isSurrogate(c)) {
                bytes[size++] = (byte) '?'; // what Java's UTF-8 encoder writes for a lone surrogate
            } else {
                bytes[size++] = (byte) (0xE0 | (c >> 12));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        if (quote) {
            add((byte) QUOTE);
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, size);
    }

    private void grow(int needed) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + needed));
    }
}
