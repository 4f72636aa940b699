package io.batchpool.agent.health;

import io.batchpool.agent.consumer.ProvisionerCommandConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the provisioner commands consumer is a member of its group with its partitions assigned. */
@Readiness
@ApplicationScoped
public class ProvisionerConsumerCheck implements HealthCheck {
    private final ProvisionerCommandConsumer consumer;

    public ProvisionerConsumerCheck(ProvisionerCommandConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("provisioner-commands-consumer")
                .status(consumer.assigned())
                .withData("partitions", consumer.partitions().size())
                .build();
    }
}
