package io.batchpool.e2e;

import io.batchpool.testkit.ProjectRoot;
import io.batchpool.testkit.SharedBroker;
import io.batchpool.testkit.TestDatabase;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole system for end-to-end tests: every packaged service as its own process, on the run's one shared
 * broker and fresh PostgreSQL databases, started once per test JVM and stopped when it exits.
 * Settings are tightened so that tests are quick: VMs boot in 0.3 s, heartbeat every 0.3 s, and are declared lost
 * after 3 s of silence.
 */
public final class BatchpoolSystem {
    public static final String OPERATOR_KEY = "e2e-operator-key";
    private static final int PORT_BASE = Integer.getInteger("batchpool.e2e.port-base", 18080);
    private static BatchpoolSystem instance;

    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    public static synchronized BatchpoolSystem get() {
        if (instance == null) {
            instance = new BatchpoolSystem();
            instance.startAll();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.services.values().forEach(ServiceProcess::stop)));
        }
        return instance;
    }

    private BatchpoolSystem() {
        Path root = ProjectRoot.find();
        String bootstrap = SharedBroker.bootstrap();
        String gatewayDb = TestDatabase.recreate("batchpool_e2e_gateway");
        String billingDb = TestDatabase.recreate("batchpool_e2e_billing");
        Map<String, String> common = new HashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        common.put("BATCHPOOL_OPERATOR_KEY", OPERATOR_KEY);
        common.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.user());
        common.put("QUARKUS_DATASOURCE_PASSWORD", "");
        List<String> names = List.of("api-gateway", "pool-manager", "job-dispatcher", "billing-meter", "vm-agent");
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Map<String, String> env = new HashMap<>(common);
            switch (name) {
                case "api-gateway" -> {
                    env.put("QUARKUS_DATASOURCE_JDBC_URL", gatewayDb);
                    env.put("BATCHPOOL_PUBLIC_URL", "http://127.0.0.1:" + PORT_BASE);
                    env.put("BATCHPOOL_VIEWS_INSTANCE_ID", "api-gateway-e2e");
                }
                case "billing-meter" -> {
                    env.put("QUARKUS_DATASOURCE_JDBC_URL", billingDb);
                    env.put("BATCHPOOL_KAFKA_INSTANCE_ID", "billing-meter-e2e");
                }
                case "pool-manager" -> {
                    env.put("BATCHPOOL_POOL_MANAGER_HEARTBEAT_TIMEOUT", "PT3S");
                    env.put("BATCHPOOL_POOL_MANAGER_TICK_INTERVAL", "PT0.2S");
                    env.put("BATCHPOOL_POOL_MANAGER_INSTANCE_ID", "e2e");
                }
                case "vm-agent" -> {
                    env.put("BATCHPOOL_VM_AGENT_BOOT_DELAY", "PT0.3S");
                    env.put("BATCHPOOL_VM_AGENT_HEARTBEAT_INTERVAL", "PT0.3S");
                    env.put("BATCHPOOL_VM_AGENT_SESSION_TIMEOUT", "PT6S");
                }
                default -> {
                }
            }
            services.put(name, new ServiceProcess(name, root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar"),
                    PORT_BASE + i, env, root.resolve("e2e-tests/target/logs/" + name + ".log")));
        }
    }

    private void startAll() {
        services.values().forEach(ServiceProcess::start);
        services.values().forEach(s -> s.awaitReady(Duration.ofSeconds(90)));
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    public String gateway() {
        return service("api-gateway").url();
    }

    public String billing() {
        return service("billing-meter").url();
    }

    /** SIGKILL the service, then start it again and wait until it is ready. */
    public void crashAndRestart(String name) {
        ServiceProcess s = service(name);
        s.kill();
        s.start();
        s.awaitReady(Duration.ofSeconds(90));
    }
}
