package io.batchpool.gateway.health;

import io.batchpool.gateway.consumer.ViewConsumer;
import io.batchpool.gateway.publisher.OutboxRelay;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Gauges: {@code batchpool.outbox.backlog} (rows waiting for Kafka) and {@code batchpool.records.skipped}. */
@ApplicationScoped
public class GatewayMetrics {

    void register(@Observes StartupEvent event, MeterRegistry registry, OutboxRelay relay, ViewConsumer views) {
        Gauge.builder("batchpool.outbox.backlog", relay, r -> r.backlog().rows())
                .description("Pool commands recorded but not yet acknowledged by Kafka")
                .register(registry);
        Gauge.builder("batchpool.records.skipped", views, v -> v.skipped().count())
                .description("Undecodable or unknown records skipped by the pool view consumer")
                .register(registry);
    }
}
