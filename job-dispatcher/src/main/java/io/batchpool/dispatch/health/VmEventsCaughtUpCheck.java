package io.batchpool.dispatch.health;

import io.batchpool.dispatch.consumer.VmEventConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the VM events replay reached the end offsets seen at start: slot counts are then current. */
@Readiness
@ApplicationScoped
public class VmEventsCaughtUpCheck implements HealthCheck {
    private final VmEventConsumer consumer;

    public VmEventsCaughtUpCheck(VmEventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("vm-events-replay")
                .status(consumer.caughtUp())
                .withData("eventsApplied", consumer.applied())
                .build();
    }
}
