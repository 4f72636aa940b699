package io.batchpool.scoring;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Fills chunks of input rows on a thread of its own while the caller scores and writes the chunks filled before:
 * the CSV parse of batch k+1 overlaps the model run of batch k.
 *
 * <ul>
 *   <li>Bounded: only the chunks given at start exist; the reader waits for the caller to give one back
 *       ({@link #giveBack}), so a slow model or output holds the reading back and memory stays fixed.</li>
 *   <li>In order: chunks come out of {@link #next} in input order, then the end, or what reading failed with (the
 *       same exception, after every chunk filled before it), so the output is what a single thread writes.</li>
 *   <li>Stopped by {@link #close}: the reader ends before filling another chunk, and close waits for it, so no
 *       thread reads the input after the scoring call returns. (A read blocked in the input stream ends when the
 *       stream answers; the thread is never interrupted, since interrupting a read on a channel closes it.)</li>
 * </ul>
 */
final class ReadAhead implements AutoCloseable {

    /** Fills {@code chunk} with the next rows; returns false once the input has ended. */
    interface Filler {
        boolean fill(CsvScorer.Chunk chunk) throws IOException, ScoringException;
    }

    private static final Object END = new Object();
    /** Given back by {@link #close} to wake a reader waiting for a free chunk. */
    private static final CsvScorer.Chunk STOP = new CsvScorer.Chunk(null);

    private final Filler filler;
    private final BlockingQueue<CsvScorer.Chunk> free;
    /** Filled chunks, then {@link #END} or the Throwable reading failed with. */
    private final BlockingQueue<Object> filled;
    private final Thread thread;
    private volatile boolean stopped;

    private ReadAhead(Filler filler, CsvScorer.Chunk first, List<CsvScorer.Chunk> empty) {
        this.filler = filler;
        int chunks = (first == null ? 0 : 1) + empty.size();
        this.free = new ArrayBlockingQueue<>(chunks + 1, false, empty);
        this.filled = new ArrayBlockingQueue<>(chunks + 1);
        if (first != null) {
            this.filled.add(first);
        }
        this.thread = new Thread(this::read, "csv-scorer-read-ahead");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading the rows after {@code first} (already filled, the first that {@link #next} returns; or null)
     * into the {@code empty} chunks, and into {@code first} once it is given back.
     */
    static ReadAhead start(Filler filler, CsvScorer.Chunk first, List<CsvScorer.Chunk> empty) {
        ReadAhead ahead = new ReadAhead(filler, first, empty);
        ahead.thread.start();
        return ahead;
    }

    private void read() {
        try {
            while (true) {
                CsvScorer.Chunk chunk = free.take();
                if (stopped) {
                    return;
                }
                boolean more = filler.fill(chunk);
                if (chunk.size() > 0) {
                    filled.add(chunk);
                }
                if (!more) {
                    filled.add(END);
                    return;
                }
            }
        } catch (Throwable failure) {
            filled.add(failure); // never blocks: the queue holds every chunk and one more
        }
    }

    /**
     * The next filled chunk in input order, or null at the end of the input.
     *
     * @throws ScoringException what reading the input failed with (e.g. a line and column at fault)
     * @throws IOException      when reading the input failed, or this thread was interrupted while waiting
     */
    CsvScorer.Chunk next() throws IOException, ScoringException {
        Object item;
        try {
            item = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the next rows of the input");
        }
        if (item == END) {
            filled.add(END); // stays the answer
            return null;
        }
        if (item instanceof CsvScorer.Chunk chunk) {
            return chunk;
        }
        filled.add(item);
        if (item instanceof ScoringException e) {
            throw e;
        } else if (item instanceof IOException e) {
            throw e;
        } else if (item instanceof UncheckedIOException e) {
            throw e.getCause();
        } else if (item instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) item;
    }

    /** Returns a chunk whose rows are written, for the reader to fill again. */
    void giveBack(CsvScorer.Chunk chunk) {
        free.add(chunk);
    }

    /** Stops the reader (it fills no further chunk) and waits for its thread to end. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        free.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
