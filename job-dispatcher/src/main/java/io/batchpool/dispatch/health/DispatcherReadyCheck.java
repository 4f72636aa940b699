package io.batchpool.dispatch.health;

import io.batchpool.dispatch.config.DispatcherLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the dispatch processor owns partitions and has rebuilt their queues from the log. */
@Readiness
@ApplicationScoped
public class DispatcherReadyCheck implements HealthCheck {
    private final DispatcherLifecycle lifecycle;

    public DispatcherReadyCheck(DispatcherLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("dispatch-processor").status(lifecycle.isReady())
                .withData("skippedRecords", lifecycle.skippedRecords()).build();
    }
}
