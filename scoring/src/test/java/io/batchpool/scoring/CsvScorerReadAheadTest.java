package io.batchpool.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.AdultCensusModel.Variant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The read-ahead thread (the CSV of the next batch is parsed while the model scores the current one) changes
 * nothing that can be seen: the output is byte for byte the single-threaded one, also when a later batch fails;
 * failures on either side stop both threads; the reading stays at most {@value CsvScorer#CHUNKS} batches ahead;
 * callbacks run on the caller's thread; no thread outlives {@code score}, and none is started for one batch.
 */
class CsvScorerReadAheadTest {

    private static final String READER_THREAD = "csv-scorer-read-ahead";
    private static OnnxModel model;

    @BeforeAll
    static void load() throws Exception {
        model = OnnxModel.load(AdultCensusModel.build(Variant.TENSOR));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 7, 512})
    void theOutputIsTheSingleThreadedOneByteForByte(int batchSize) throws Exception {
        byte[] csv = AdultCensusData.csv(3_000).readAllBytes();
        List<Long> progress = new ArrayList<>();
        List<Long> progressAlone = new ArrayList<>();

        List<Long> progressFromTheStart = new ArrayList<>();

        byte[] pipelined = score(CsvScorer.builder(model).batchSize(batchSize).progress(progress::add), csv);
        byte[] alone = score(CsvScorer.builder(model).batchSize(batchSize).progress(progressAlone::add)
                .readAhead(CsvScorer.ReadAheadMode.NEVER), csv);
        byte[] fromTheStart = score(CsvScorer.builder(model).batchSize(batchSize).progress(progressFromTheStart::add)
                .readAhead(CsvScorer.ReadAheadMode.ALWAYS), csv);

        assertThat(pipelined).isEqualTo(alone).isEqualTo(fromTheStart);
        assertThat(progress).isEqualTo(progressAlone).isEqualTo(progressFromTheStart).endsWith(3_000L);
    }

    /** Each case breaks row 1,234 of 3,000, in batches of 100: the 12 batches before it are written, not the 13th. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"not a number", "too few fields", "unterminated quote"})
    void anInputErrorInALaterBatchLeavesWhatTheSingleThreadLeaves(String fault) throws Exception {
        StringBuilder text = new StringBuilder(String.join(",", AdultCensusData.HEADER)).append('\n');
        for (int i = 0; i < 3_000; i++) {
            String[] row = AdultCensusData.row(i);
            if (i == 1_233) {
                switch (fault) {
                    case "not a number" -> row[1] = "forty";
                    case "too few fields" -> row = java.util.Arrays.copyOf(row, row.length - 2);
                    default -> row[2] = "\"Private";
                }
            }
            text.append(String.join(",", row)).append('\n');
        }
        byte[] csv = text.toString().getBytes(StandardCharsets.UTF_8);

        ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
        ByteArrayOutputStream alone = new ByteArrayOutputStream();
        Throwable pipelinedError = catchThrowable(() -> CsvScorer.builder(model).batchSize(100).build()
                .score(new ByteArrayInputStream(csv), pipelined));
        Throwable aloneError = catchThrowable(() -> CsvScorer.builder(model).batchSize(100).readAhead(CsvScorer.ReadAheadMode.NEVER).build()
                .score(new ByteArrayInputStream(csv), alone));

        assertThat(pipelinedError).isInstanceOf(ScoringException.class).hasMessage(aloneError.getMessage());
        assertThat(((ScoringException) pipelinedError).reason()).isEqualTo(ScoringException.Reason.INVALID_INPUT);
        assertThat(pipelined.toByteArray()).isEqualTo(alone.toByteArray());
        assertThat(pipelined.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(1 + 1_200);
        assertNoReaderThread();
    }

    @Test
    void aFailingInputStreamFailsTheCallWithItsIOException() {
        InputStream failing = new FilterInputStream(AdultCensusData.csv(100_000)) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > 500_000) {
                    throw new IOException("connection reset by the blob store");
                }
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                return n;
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> CsvScorer.builder(model).build().score(failing, out))
                .isInstanceOf(IOException.class).hasMessage("connection reset by the blob store");
        assertNoReaderThread();
    }

    @Test
    void aFailingOutputStreamStopsTheReader() {
        CountingInput in = new CountingInput(AdultCensusData.csv(1_000_000));
        OutputStream failing = new OutputStream() {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 200_000) {
                    throw new IOException("the output blob is gone");
                }
            }
        };
        assertThatThrownBy(() -> CsvScorer.builder(model).build().score(in, failing))
                .isInstanceOf(IOException.class).hasMessage("the output blob is gone");
        assertNoReaderThread();
        assertThat(in.bytes.get()).as("the reader stopped early").isLessThan(10_000_000);
    }

    @Test
    void aModelFailureStopsTheReader() throws Exception {
        CountingInput in = new CountingInput(new ByteArrayInputStream(("x\n" + "1\n".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8)));
        try (OnnxModel broken = OnnxModel.load(TinyModels.failsAtRunTime())) {
            assertThatThrownBy(() -> CsvScorer.builder(broken).batchSize(100).build().score(in, new ByteArrayOutputStream()))
                    .isInstanceOf(ScoringException.class)
                    .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo(ScoringException.Reason.INVALID_MODEL));
        }
        assertNoReaderThread();
        assertThat(in.bytes.get()).as("the reader stopped early").isLessThan(1_000_000);
    }

    @Test
    void cancellationStopsTheReaderAndCallbacksRunOnTheCallersThread() {
        CountingInput in = new CountingInput(AdultCensusData.csv(1_000_000));
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread caller = Thread.currentThread();
        List<Thread> callbackThreads = new ArrayList<>();
        CsvScorer scorer = CsvScorer.builder(model)
                .progress(rows -> {
                    callbackThreads.add(Thread.currentThread());
                    cancelled.set(rows >= 2_048);
                })
                .cancelled(() -> {
                    callbackThreads.add(Thread.currentThread());
                    return cancelled.get();
                })
                .build();

        assertThatThrownBy(() -> scorer.score(in, new ByteArrayOutputStream()))
                .isInstanceOf(ScoringException.class).hasMessage("scoring was cancelled after 2048 rows");
        assertThat(callbackThreads).isNotEmpty().containsOnly(caller);
        assertNoReaderThread();
        assertThat(in.bytes.get()).as("the reader stopped early").isLessThan(10_000_000);
    }

    /** While the first batch's progress callback holds the caller, the reader fills the other chunks, then waits. */
    @Test
    void theReaderStaysAtMostTheOtherChunksAhead() throws Exception {
        int batch = 2_000;
        long rowBytes = AdultCensusData.line(AdultCensusData.row(0)).length();
        CountingInput in = new CountingInput(AdultCensusData.csv(100_000));
        AtomicLong readWhileHeld = new AtomicLong();
        CsvScorer scorer = CsvScorer.builder(model).batchSize(batch).progress(rows -> {
            if (rows == batch) {
                sleep(500); // time enough to read far ahead, were it allowed to
                readWhileHeld.set(in.bytes.get());
            }
        }).build();

        assertThat(scorer.score(in, OutputStream.nullOutputStream())).isEqualTo(100_000);

        // the batch being written, the two other chunks, and what FastCSV buffers beyond them
        long bound = (CsvScorer.CHUNKS * batch + batch) * (rowBytes + 10);
        assertThat(readWhileHeld.get()).isLessThan(bound).isGreaterThan(batch * rowBytes);
    }

    @Test
    void noThreadIsStartedForAnInputOfOneBatch() throws Exception {
        List<Boolean> readerAlive = new ArrayList<>();
        CsvScorer.builder(model).batchSize(512).progress(rows -> readerAlive.add(readerThreadAlive())).build()
                .score(AdultCensusData.csv(512), OutputStream.nullOutputStream());
        CsvScorer.builder(model).batchSize(512).progress(rows -> readerAlive.add(readerThreadAlive())).build()
                .score(AdultCensusData.csv(1), OutputStream.nullOutputStream());
        assertThat(readerAlive).containsExactly(false, false);

        List<Boolean> withMore = new ArrayList<>();
        CsvScorer.builder(model).batchSize(512).progress(rows -> withMore.add(readerThreadAlive())).build()
                .score(AdultCensusData.csv(5_000), OutputStream.nullOutputStream());
        assertThat(withMore).first().isEqualTo(true);
        assertNoReaderThread();
    }

    // ---- helpers ----

    private static byte[] score(CsvScorer.Builder builder, byte[] csv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        builder.build().score(new ByteArrayInputStream(csv), out);
        return out.toByteArray();
    }

    private interface Call {
        void run() throws Exception;
    }

    private static Throwable catchThrowable(Call call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static boolean readerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(READER_THREAD) && t.isAlive());
    }

    private static void assertNoReaderThread() {
        assertThat(readerThreadAlive()).as("a read-ahead thread outlived score()").isFalse();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class CountingInput extends FilterInputStream {
        final AtomicLong bytes = new AtomicLong();

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            bytes.addAndGet(Math.max(n, 0));
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            bytes.addAndGet(b < 0 ? 0 : 1);
            return b;
        }
    }
}
