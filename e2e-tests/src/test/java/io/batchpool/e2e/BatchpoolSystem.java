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

    /** Jobs without AzureBatchPoolId run on the classic pool: 1 VM of 4 slots, at most 2 jobs per web service. */
    public static final int CLASSIC_MAX_RUNNING_PER_SERVICE = 2;
    public static final int CLASSIC_SLOTS = 4;

    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    /** The local files root the gateway and the agents share (accounts are new per run, so are their directories). */
    private final Path localFiles = ProjectRoot.find().resolve("e2e-tests/target/local-files");
    private final String bootstrap;
    /** The classic pool's id, new per run: the shared broker may hold an earlier run's classic pool. */
    private final String classicPoolId = io.batchpool.contracts.Ids.newId();

    public static synchronized BatchpoolSystem get() {
        if (instance == null) {
            instance = new BatchpoolSystem(SharedBroker.bootstrap(), PORT_BASE,
                    System.getProperty("batchpool.e2e.db-prefix", "batchpool_e2e"), "e2e-tests/target/models",
                    System.getProperty("batchpool.e2e.log-dir", "e2e-tests/target/logs"));
            // before starting: a start that fails half-way (a missing jar) must not leave the others running
            Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.services.values().forEach(ServiceProcess::stop)));
            instance.startAll();
        }
        return instance;
    }

    /**
     * A second, independent system on a broker of its own (for a test that kills its broker): ports from
     * {@code portBase}, databases named after {@code name}; the caller stops it with {@link #stopAll}.
     */
    public static BatchpoolSystem onOwnBroker(String bootstrap, int portBase, String name) {
        BatchpoolSystem system = new BatchpoolSystem(bootstrap, portBase, "batchpool_e2e_" + name,
                "e2e-tests/target/models-" + name, "e2e-tests/target/logs-" + name);
        Runtime.getRuntime().addShutdownHook(new Thread(system::stopAll));
        system.startAll();
        return system;
    }

    public void stopAll() {
        services.values().forEach(ServiceProcess::stop);
    }

    public String bootstrap() {
        return bootstrap;
    }

    private BatchpoolSystem(String bootstrap, int portBase, String dbPrefix, String modelDir, String logDir) {
        Path root = ProjectRoot.find();
        this.bootstrap = bootstrap;
        String gatewayDb = TestDatabase.recreate(dbPrefix + "_gateway");
        String billingDb = TestDatabase.recreate(dbPrefix + "_billing");
        Map<String, String> common = new HashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        common.put("BATCHPOOL_OPERATOR_KEY", OPERATOR_KEY);
        common.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.user());
        common.put("QUARKUS_DATASOURCE_PASSWORD", "");
        // jobs name blobs on the run's Azurite; the gateway checks them against the allow-list, the agents use them
        common.put("BATCHPOOL_BLOB_EMULATOR_ENDPOINTS", io.batchpool.blob.SharedAzurite.address());
        common.put("BATCHPOOL_BLOB_DEVELOPMENT_STORAGE_ENDPOINT", io.batchpool.blob.SharedAzurite.endpoint().toString());
        common.put("BATCHPOOL_LOCAL_FILES_ROOT", localFiles.toString()); // read by the gateway and the agents only
        List<String> names = List.of("api-gateway", "pool-manager", "job-dispatcher", "billing-meter", "vm-agent");
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Map<String, String> env = new HashMap<>(common);
            switch (name) {
                case "api-gateway" -> {
                    env.put("QUARKUS_DATASOURCE_JDBC_URL", gatewayDb);
                    env.put("BATCHPOOL_PUBLIC_URL", "http://127.0.0.1:" + portBase);
                    env.put("BATCHPOOL_VIEWS_INSTANCE_ID", "api-gateway-e2e");
                    env.put("BATCHPOOL_CLASSIC_POOL_ID", classicPoolId);
                    env.put("BATCHPOOL_CLASSIC_VMS", "1");
                    env.put("BATCHPOOL_CLASSIC_SLOTS_PER_VM", Integer.toString(CLASSIC_SLOTS));
                }
                case "billing-meter" -> {
                    env.put("QUARKUS_DATASOURCE_JDBC_URL", billingDb);
                    env.put("BATCHPOOL_KAFKA_INSTANCE_ID", "billing-meter-e2e");
                    env.put("BATCHPOOL_CLASSIC_QUEUE_ID", classicPoolId);
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
                    env.put("BATCHPOOL_VM_AGENT_MODEL_DIR", root.resolve(modelDir).toString());
                }
                case "job-dispatcher" -> {
                    env.put("BATCHPOOL_JOB_DISPATCHER_CLASSIC_QUEUE_ID", classicPoolId);
                    env.put("BATCHPOOL_JOB_DISPATCHER_CLASSIC_MAX_RUNNING_PER_SERVICE",
                            Integer.toString(CLASSIC_MAX_RUNNING_PER_SERVICE));
                }
                default -> {
                }
            }
            // extra settings, e.g. for the benchmark: -Dbatchpool.e2e.env.vm-agent.BATCHPOOL_VM_AGENT_JOB_THREADS=8
            String prefix = "batchpool.e2e.env." + name + ".";
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                    .forEach(k -> env.put(k.substring(prefix.length()), System.getProperty(k)));
            Path logs = root.resolve(logDir);
            services.put(name, new ServiceProcess(name, root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar"),
                    portBase + i, env, logs.resolve(name + ".log")));
        }
    }

    private void startAll() {
        services.values().forEach(ServiceProcess::start);
        // a loaded machine (the benchmark next to other work) may need longer: batchpool.e2e.ready-seconds
        Duration ready = Duration.ofSeconds(Integer.getInteger("batchpool.e2e.ready-seconds", 90));
        services.values().forEach(s -> s.awaitReady(ready));
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    public String gateway() {
        return service("api-gateway").url();
    }

    /** The local files root: an account's files are under {@code <root>/<accountId>/}. */
    public Path localFiles() {
        return localFiles;
    }

    public String classicPoolId() {
        return classicPoolId;
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
