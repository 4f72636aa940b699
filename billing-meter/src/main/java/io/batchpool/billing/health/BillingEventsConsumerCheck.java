package io.batchpool.billing.health;

import io.batchpool.billing.consumer.BillingEventConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the consumer has its partitions of vm-events and job-events and has applied what they held at
 * start-up.
 */
@Readiness
@ApplicationScoped
public class BillingEventsConsumerCheck implements HealthCheck {
    private final BillingEventConsumer consumer;

    public BillingEventsConsumerCheck(BillingEventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("billing-events-consumer")
                .status(consumer.ready())
                .withData("assigned", consumer.assigned())
                .withData("caughtUp", consumer.caughtUp())
                .build();
    }
}
