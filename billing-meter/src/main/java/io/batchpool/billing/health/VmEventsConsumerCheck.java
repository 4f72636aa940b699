package io.batchpool.billing.health;

import io.batchpool.billing.consumer.VmEventConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the vm-events consumer has its partitions and has applied what the topic held at start-up. */
@Readiness
@ApplicationScoped
public class VmEventsConsumerCheck implements HealthCheck {
    private final VmEventConsumer consumer;

    public VmEventsConsumerCheck(VmEventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("vm-events-consumer")
                .status(consumer.ready())
                .withData("assigned", consumer.assigned())
                .withData("caughtUp", consumer.caughtUp())
                .build();
    }
}
