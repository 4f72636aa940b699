package io.batchpool.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Points a {@code @QuarkusTest} at the run's shared broker ({@link SharedBroker}). */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedBroker.bootstrap());
    }

    @Override
    public void stop() {
        // shared by the whole run; bin/test (or the JVM's end) stops it
    }
}
