package io.batchpool.agent.health;

import io.batchpool.agent.consumer.ModelConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the service-models consumer has read the topic up to where it ended at start-up: every model registered
 * before this process started is on disk (later ones arrive while the agent runs).
 */
@Readiness
@ApplicationScoped
public class ModelConsumerCheck implements HealthCheck {
    private final ModelConsumer consumer;

    public ModelConsumerCheck(ModelConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("service-models-consumer")
                .status(consumer.caughtUp())
                .withData("written", consumer.written())
                .withData("present", consumer.present())
                .withData("skipped", consumer.skipped().count())
                .build();
    }
}
