package io.batchpool.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.e2e.Accounts;
import io.batchpool.e2e.BatchpoolSystem;
import io.batchpool.e2e.Bes;

import java.time.Duration;
import java.time.Instant;

/**
 * A large input through the whole system (not a test; {@code bin/bench-jobs} runs it with {@code -Dbench.large-gb=2}):
 * the vm-agent runs with its heap capped at 256 MB (the e2e JVM options), so a job that finishes with every row scored
 * shows that the input and output are streamed, never loaded whole.
 */
public final class LargeInputCheck {
    private LargeInputCheck() {
    }

    public static void run(BatchpoolSystem system, double gigabytes) throws Exception {
        long rows = (long) (gigabytes * 1024 * 1024 * 1024 / 117); // ~117 bytes per Adult Census row
        Accounts.Account account = Accounts.create(system, 2, 2);
        Bes.Service service = Bes.register(account, "classic");
        Instant t0 = Instant.now();
        Bes.upload("large.csv", rows);
        System.out.printf("large input: %d rows uploaded in %d s%n", rows, Duration.between(t0, Instant.now()).toSeconds());
        String pool = Accounts.createPool(account, 1, "plan-large");
        JobBenchmark.awaitReady(account, pool, 1);
        String job = Bes.submit(service, Bes.request("large.csv", "large-scored.csv", pool));
        Bes.start(service, job);
        JsonNode end = Bes.awaitEnd(service, job, Duration.ofHours(1));
        double run = Duration.between(Instant.parse(end.path("StartTime").asText()),
                Instant.parse(end.path("EndTime").asText())).toNanos() / 1e9;
        System.out.printf("large input: job %s %s, %d of %d rows scored in %.0f s (%.0f rows/s), vm-agent JVM options: %s%n",
                job, end.path("StatusCode").asText(), end.path("RowsScored").asLong(), rows, run,
                end.path("RowsScored").asLong() / run,
                System.getProperty("batchpool.e2e.jvm-options", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"));
        if (!end.path("StatusCode").asText().equals("Finished") || end.path("RowsScored").asLong() != rows) {
            throw new IllegalStateException("large input job did not score every row: " + end);
        }
    }
}
