package io.batchpool.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "42", "-7", "+7", "0.5", ".5", "5.", "-.5", "1e5", "1E+5", "2.5e-3", " 1 ", "\t1",
            "0000", "123456789012345678901234567890"})
    void plainDecimals(String text) {
        assertThat(Numbers.isPlainDecimal(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "+", "-", ".", "e1", "1e", "1e+", "1.2.3", "1,5", "NaN", "Infinity", "0x1A",
            "1f", "1d", "1_000", "1 2", "--1", "+-1", "1e1.5"})
    void notPlainDecimals(String text) {
        assertThat(Numbers.isPlainDecimal(text)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"0,0", "39,39", "-39,-39", "+39,39", "0039,39", "9999999,9999999"})
    void smallIntegersTakeTheFastPath(String text, long value) {
        assertThat(Numbers.parseSmallInteger(text)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "12345678", " 1", "1 ", "1.0", "1e3", "x"})
    void everythingElseTakesTheGeneralPath(String text) {
        assertThat(Numbers.parseSmallInteger(text)).isEqualTo(Numbers.NOT_SMALL_INTEGER);
    }
}
