package io.batchpool.gateway.health;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.consumer.ViewConsumer;
import io.batchpool.gateway.publisher.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Clock;
import java.time.Duration;

/**
 * Ready when commands reach Kafka (the oldest unrelayed outbox row is younger than
 * {@code batchpool.relay.max-backlog-age}) and the pool view consumer has its partitions. The database has its
 * own readiness check (Quarkus' datasource check).
 */
@Readiness
@ApplicationScoped
public class GatewayReadinessCheck implements HealthCheck {
    private final OutboxRelay relay;
    private final ViewConsumer views;
    private final GatewayConfig config;
    private final Clock clock;

    @Inject
    public GatewayReadinessCheck(OutboxRelay relay, ViewConsumer views, GatewayConfig config, Clock clock) {
        this.relay = relay;
        this.views = views;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        OutboxRelay.Backlog backlog = relay.backlog();
        Duration age = backlog.age(clock.instant());
        boolean outboxOk = age.compareTo(config.relay().maxBacklogAge()) < 0;
        boolean viewsOk = views.assigned();
        return HealthCheckResponse.named("api-gateway")
                .status(outboxOk && viewsOk)
                .withData("outboxBacklog", backlog.rows())
                .withData("outboxOldestAgeMs", age.toMillis())
                .withData("viewConsumerAssigned", viewsOk)
                .withData("viewPartitions", views.partitions().size())
                .build();
    }
}
