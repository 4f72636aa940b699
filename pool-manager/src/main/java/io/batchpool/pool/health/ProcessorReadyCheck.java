package io.batchpool.pool.health;

import io.batchpool.pool.consumer.PoolProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the processor owns partitions and has rebuilt their pools from the log. */
@Readiness
@ApplicationScoped
public class ProcessorReadyCheck implements HealthCheck {
    private final PoolProcessor processor;

    public ProcessorReadyCheck(PoolProcessor processor) {
        this.processor = processor;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("pool-processor").status(processor.isReady())
                .withData("pools", processor.views().size())
                .withData("skippedRecords", processor.skippedRecords()).build();
    }
}
