package io.batchpool.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs in its own surefire execution with {@code -Xmx256m} (see pom.xml): ~100 MB of CSV, generated while it is
 * read, scored into a sink that keeps only counters. Holding the input (or the output) in memory would need several
 * times the heap, so completing proves memory is bounded by the batch, not the file.
 */
class LargeInputTest {

    private static final long ROWS = 1_000_000;

    @Test
    void scoresAboutHundredMegabytesWithTheHeapCappedAt256MB() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("run by the capped-heap surefire execution")
                .isLessThanOrEqualTo(256L * 1024 * 1024);
        CountingInputStream in = new CountingInputStream(AdultCensusData.csv(ROWS));
        LineSink out = new LineSink();
        AtomicLong lastProgress = new AtomicLong();

        long scored;
        try (OnnxModel model = OnnxModel.load(AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP))) {
            scored = CsvScorer.builder(model)
                    .progress(rows -> assertThat(rows).isGreaterThan(lastProgress.getAndSet(rows)))
                    .build()
                    .score(in, out);
        }

        assertThat(in.bytes).as("input size").isGreaterThan(100L * 1000 * 1000);
        assertThat(scored).isEqualTo(ROWS);
        assertThat(lastProgress.get()).isEqualTo(ROWS);
        assertThat(out.lines).as("header + one line per row").isEqualTo(ROWS + 1);
        String[] last = out.lastLine().split(",");
        String[] input = AdultCensusData.row(ROWS - 1);
        assertThat(last[0]).isEqualTo(Long.toString(ROWS));
        AdultCensusModel.Expected expected = AdultCensusModel.expected(AdultCensusData.asMap(input));
        assertThat(last[input.length]).isEqualTo(expected.label(AdultCensusModel.Variant.ZIPMAP));
        assertThat(Double.parseDouble(last[input.length + 1])).isCloseTo(expected.probability(), within(1e-5));
    }

    private static final class CountingInputStream extends InputStream {
        private final InputStream in;
        long bytes;

        CountingInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws java.io.IOException {
            int b = in.read();
            if (b >= 0) {
                bytes++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                bytes += n;
            }
            return n;
        }
    }

    /** Counts lines and keeps only the last complete one (lines have no quoted line breaks here). */
    private static final class LineSink extends OutputStream {
        long lines;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private byte[] previous = new byte[0];

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            int lineStart = offset;
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] == '\n') {
                    current.write(buffer, lineStart, i - lineStart);
                    previous = current.toByteArray();
                    current.reset();
                    lines++;
                    lineStart = i + 1;
                }
            }
            current.write(buffer, lineStart, offset + length - lineStart);
        }

        String lastLine() {
            return new String(previous, StandardCharsets.UTF_8).replace("\r", "");
        }
    }
}
