package io.batchpool.testkit;

import io.batchpool.kit.TopicBootstrap;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The one real Kafka broker a test run shares, chosen once per JVM:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (env or system property): a broker someone already started, e.g. the
 *       project broker that {@code bin/test} starts for the whole run;</li>
 *   <li>else, where a Docker engine exists, Testcontainers' Kafka;</li>
 *   <li>else the project broker, started here with {@code bin/kafka-broker} on port 19092.</li>
 * </ol>
 * The contract's topics are created before the address is handed out.
 */
public final class SharedBroker {
    public static final String ENV = "KAFKA_BOOTSTRAP_SERVERS";
    private static String bootstrap;
    private static String provider;

    private SharedBroker() {
    }

    public static synchronized String bootstrap() {
        if (bootstrap == null) {
            String given = System.getProperty(ENV, System.getenv(ENV));
            if (given != null && !given.isBlank()) {
                bootstrap = given;
                provider = "given";
            } else if (dockerAvailable()) {
                KafkaContainer kafka = new KafkaContainer("apache/kafka-native:4.1.0");
                kafka.start();
                bootstrap = kafka.getBootstrapServers();
                provider = "testcontainers";
            } else {
                bootstrap = startProjectBroker();
                provider = "project";
            }
            TopicBootstrap.ensureTopics(bootstrap, (short) 1);
        }
        return bootstrap;
    }

    /** Which provider serves this run: given, testcontainers or project. */
    public static synchronized String provider() {
        bootstrap();
        return provider;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static String startProjectBroker() {
        Path script = ProjectRoot.find().resolve("bin/kafka-broker");
        try {
            Process p = new ProcessBuilder("bash", script.toString(), "start")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .directory(ProjectRoot.find().toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("bin/kafka-broker start failed");
            }
            String port = System.getenv().getOrDefault("BATCHPOOL_KAFKA_PORT", "9092");
            return "127.0.0.1:" + port;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
