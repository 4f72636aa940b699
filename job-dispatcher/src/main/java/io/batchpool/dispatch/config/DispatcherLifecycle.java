package io.batchpool.dispatch.config;

import io.batchpool.dispatch.consumer.VmEventConsumer;
import io.batchpool.kit.TopicBootstrap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Start-up: topics, then the VM events replay. */
@ApplicationScoped
public class DispatcherLifecycle {
    private final String bootstrap;
    private final KafkaConfig kafka;
    private final VmEventConsumer vmEvents;
    private final MeterRegistry registry;

    public DispatcherLifecycle(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, KafkaConfig kafka,
                               VmEventConsumer vmEvents, MeterRegistry registry) {
        this.bootstrap = bootstrap;
        this.kafka = kafka;
        this.vmEvents = vmEvents;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("batchpool.records.skipped", vmEvents, c -> c.skipped().count())
                .description("records skipped because they could not be decoded")
                .register(registry);
        TopicBootstrap.ensureTopics(bootstrap, kafka.replicationFactor());
        vmEvents.start(bootstrap);
    }

    void onStop(@Observes ShutdownEvent event) {
        vmEvents.stop();
    }
}
