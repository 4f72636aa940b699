package io.batchpool.agent.health;

import io.batchpool.agent.consumer.AssignmentConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the assignments consumer reads every partition from a known position. */
@Readiness
@ApplicationScoped
public class AssignmentConsumerCheck implements HealthCheck {
    private final AssignmentConsumer consumer;

    public AssignmentConsumerCheck(AssignmentConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("assignments-consumer").status(consumer.positioned()).build();
    }
}
