package io.batchpool.billing.config;

import io.batchpool.kit.SkippedRecords;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The beans the service shares: the clock ("now" for still-open intervals) and the skipped-records counter. */
@ApplicationScoped
public class TimeAndMetrics {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Exposed as gauge {@code batchpool.records.skipped} (Prometheus {@code batchpool_records_skipped}). */
    @Produces
    @Singleton
    SkippedRecords skippedRecords(MeterRegistry registry) {
        SkippedRecords skipped = new SkippedRecords();
        Gauge.builder("batchpool.records.skipped", skipped, SkippedRecords::count)
                .description("records the consumers could not decode or use and skipped")
                .register(registry);
        return skipped;
    }
}
