package io.batchpool.scoring;

/**
 * The numbers Azure ML classic accepted in numeric columns: plain decimals with an optional sign, fraction and
 * exponent ({@code 42}, {@code -0.5}, {@code .5}, {@code 3.}, {@code 1e5}, {@code 2.5E-3}), with spaces or tabs
 * around them. Not accepted: empty cells, {@code NaN}, {@code Infinity}, hexadecimal, Java suffixes ({@code 1f}),
 * thousands separators, and values out of the column type's finite range.
 */
final class Numbers {

    /** Returned by {@link #parseSmallInteger} for anything but a plain integer of at most 7 digits. */
    static final long NOT_SMALL_INTEGER = Long.MIN_VALUE;

    private Numbers() {
    }

    /**
     * The fast path for the commonest cell: an optionally signed integer of at most 7 digits with no spaces, which
     * a float holds exactly. Anything else gives {@link #NOT_SMALL_INTEGER} and takes the general path.
     */
    static long parseSmallInteger(String text) {
        char[] chars = text.toCharArray();
        return parseSmallInteger(chars, 0, chars.length);
    }

    /** {@link #parseSmallInteger(String)} of {@code length} chars from {@code offset}. */
    static long parseSmallInteger(char[] chars, int offset, int length) {
        int i = offset;
        int end = offset + length;
        boolean negative = false;
        if (length > 0 && (chars[i] == '-' || chars[i] == '+')) {
            negative = chars[i] == '-';
            i++;
        }
        int digits = end - i;
        if (digits < 1 || digits > 7) {
            return NOT_SMALL_INTEGER;
        }
        long value = 0;
        for (; i < end; i++) {
            char c = chars[i];
            if (c < '0' || c > '9') {
                return NOT_SMALL_INTEGER;
            }
            value = value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }

    /** True when {@code text} is a plain decimal number (optionally surrounded by whitespace). */
    static boolean isPlainDecimal(String text) {
        int end = text.length();
        int i = 0;
        while (i < end && isBlank(text.charAt(i))) {
            i++;
        }
        while (end > i && isBlank(text.charAt(end - 1))) {
            end--;
        }
        if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < end && isDigit(text.charAt(i))) {
            i++;
            digits++;
        }
        if (i < end && text.charAt(i) == '.') {
            i++;
            while (i < end && isDigit(text.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < end && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < end && isDigit(text.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == end;
    }

    static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isBlank(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
