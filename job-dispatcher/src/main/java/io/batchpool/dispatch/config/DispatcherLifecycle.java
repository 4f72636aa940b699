package io.batchpool.dispatch.config;

import io.batchpool.dispatch.consumer.DispatchProcessor;
import io.batchpool.dispatch.service.SlotsView;
import io.batchpool.kit.SkippedRecords;
import io.batchpool.kit.TopicBootstrap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;

/** Start-up: topics, then the dispatch processor on its own thread. */
@ApplicationScoped
public class DispatcherLifecycle {
    private final String bootstrap;
    private final KafkaConfig kafka;
    private final DispatcherConfig config;
    private final SlotsView view;
    private final MeterRegistry registry;
    private final SkippedRecords skipped = new SkippedRecords();
    private DispatchProcessor processor;
    private Thread thread;

    public DispatcherLifecycle(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, KafkaConfig kafka,
                               DispatcherConfig config, SlotsView view, MeterRegistry registry) {
        this.bootstrap = bootstrap;
        this.kafka = kafka;
        this.config = config;
        this.view = view;
        this.registry = registry;
    }

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    void onStart(@Observes StartupEvent event) {
        if (config.classicMaxRunningPerService() < 1) { // fail the start rather than a classic queue that never runs
            throw new IllegalStateException("batchpool.job-dispatcher.classic-max-running-per-service must be at "
                    + "least 1, not " + config.classicMaxRunningPerService());
        }
        Gauge.builder("batchpool.records.skipped", skipped, SkippedRecords::count)
                .description("records skipped because they could not be decoded")
                .register(registry);
        TopicBootstrap.ensureTopics(bootstrap, kafka.replicationFactor());
        processor = new DispatchProcessor(bootstrap, config, Clock.systemUTC(), view, skipped);
        thread = new Thread(processor, "dispatch-processor");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (processor != null) {
            processor.stop();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isReady() {
        return processor != null && processor.isReady();
    }

    public long skippedRecords() {
        return skipped.count();
    }
}
