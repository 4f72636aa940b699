package io.batchpool.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} its own PostgreSQL database (init arg {@code database}), re-created empty at the
 * start of the test application.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    private String database = "batchpool_test";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.datasource.jdbc.url", TestDatabase.recreate(database),
                "quarkus.datasource.username", TestDatabase.user(),
                "quarkus.datasource.password", "");
    }

    @Override
    public void stop() {
    }
}
