package io.batchpool.e2e;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.ProjectRoot;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to a transactional processor (job-dispatcher, pool-manager) while the broker is down and the processor is
 * stuck in a producer call that waits for it (a transaction's commit or abort, or the next producer's
 * initTransactions; up to max.block.ms, 30 s): the process ends promptly and logs no ERROR. On a broker of the test's
 * own, which it SIGKILLs; only the one service runs, fed commands by the test so that every batch is a transaction.
 */
class ProcessorShutdownE2ETest {
    static final int PORT_BASE = Integer.getInteger("batchpool.e2e.port-base", 18080) + 40;
    private static final Pattern ERROR_LINE = Pattern.compile("^\\S+ \\S+ (ERROR|FATAL) ", Pattern.MULTILINE);
    private static final EventCodec<JobCommand> JOB_COMMANDS = new EventCodec<>(JobCommand.class);
    private static final EventCodec<PoolCommand> POOL_COMMANDS = new EventCodec<>(PoolCommand.class);
    OwnBroker broker;
    ServiceProcess service;

    @BeforeEach
    void broker() {
        broker = new OwnBroker(PORT_BASE + 1, ProjectRoot.find().resolve("e2e-tests/target/processor-shutdown-kafka"));
        broker.startFresh();
    }

    @AfterEach
    void down() {
        if (service != null) {
            service.kill();
        }
        broker.stop();
    }

    @Test
    void job_dispatcher_ends_promptly_and_quietly_on_sigterm_during_a_broker_outage() throws Exception {
        sigtermDuringAnOutage("job-dispatcher", "dispatch-processor", "BATCHPOOL_JOB_DISPATCHER_INSTANCE_ID",
                (producer, queue) -> {
                    String job = Ids.newId();
                    JobSpec spec = new JobSpec(job, Ids.newId(), Ids.newId(), 1, queue, Map.of(), Map.of(), Map.of(),
                            Duration.ofHours(1));
                    producer.send(new ProducerRecord<>(Topics.JOB_COMMANDS, queue, JOB_COMMANDS.encode(
                            Envelope.of(new SubmitJob(job, queue, spec), 1, Instant.now()))));
                    producer.send(new ProducerRecord<>(Topics.JOB_COMMANDS, queue, JOB_COMMANDS.encode(
                            Envelope.of(new StartJob(job, queue), 2, Instant.now()))));
                });
    }

    @Test
    void pool_manager_ends_promptly_and_quietly_on_sigterm_during_a_broker_outage() throws Exception {
        sigtermDuringAnOutage("pool-manager", "pool-processor", "BATCHPOOL_POOL_MANAGER_INSTANCE_ID",
                (producer, ignored) -> {
                    String pool = Ids.newId();
                    producer.send(new ProducerRecord<>(Topics.POOL_COMMANDS, pool, POOL_COMMANDS.encode(
                            Envelope.of(new CreatePool(pool, Ids.newId(), "plan-shutdown", 1, 1), 1, Instant.now()))));
                });
    }

    /**
     * Starts the service, feeds it commands ({@code command} is called with a producer and one of a few queue ids),
     * SIGKILLs the broker, waits until the processor thread is inside a KafkaProducer call (jstack), then SIGTERMs
     * the service and checks it ended within 5 s and its log holds no ERROR line.
     */
    private void sigtermDuringAnOutage(String name, String processorThread, String instanceIdVariable,
                                       BiConsumer<KafkaProducer<String, byte[]>, String> command) throws Exception {
        Path root = ProjectRoot.find();
        service = new ServiceProcess(name, root.resolve(name + "/target/quarkus-app/quarkus-run.jar"), PORT_BASE,
                Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap(), "BATCHPOOL_OPERATOR_KEY",
                        BatchpoolSystem.OPERATOR_KEY, instanceIdVariable, "shutdown-e2e"),
                root.resolve("e2e-tests/target/processor-shutdown/" + name + ".log"));
        Files.deleteIfExists(service.log());
        service.start();
        service.awaitReady(Duration.ofSeconds(90));

        // a steady stream of commands: every batch the processor reads is a Kafka transaction to commit
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = new Thread(() -> feed(feeding, command), "feeder");
        feeder.start();
        Thread.sleep(2_000);
        broker.kill();
        feeding.set(false);
        feeder.join(30_000);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack(processorThread).contains("KafkaProducer."));
        String stuck = stack(processorThread).lines().filter(l -> l.contains("KafkaProducer.")).findFirst()
                .orElse("").trim();

        ProcessHandle process = service.handle();
        Instant sigterm = Instant.now();
        process.destroy();
        process.onExit().get(60, TimeUnit.SECONDS);
        Duration took = Duration.between(sigterm, Instant.now());
        System.out.printf("%s ended %d ms after SIGTERM; its processor was waiting for the broker %s%n", name,
                took.toMillis(), stuck);

        assertThat(took).as("SIGTERM during a broker outage ends %s promptly", name).isLessThan(Duration.ofSeconds(5));
        String log = Files.readString(service.log());
        assertThat(log).contains(name + " stopped");
        assertThat(ERROR_LINE.matcher(log).results().map(m -> log.substring(m.start(),
                Math.min(log.length(), m.start() + 300))).toList()).as("ERROR lines in %s", service.log()).isEmpty();
    }

    private void feed(AtomicBoolean feeding, BiConsumer<KafkaProducer<String, byte[]>, String> command) {
        Map<String, Object> config = KafkaClients.producer(broker.bootstrap(), "shutdown-e2e-feeder");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        List<String> queues = List.of(Ids.newId(), Ids.newId(), Ids.newId());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
            while (feeding.get()) {
                queues.forEach(queue -> command.accept(producer, queue));
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the broker went away under the feeder: expected
        }
    }

    /** One thread's stack in the service, from jstack ("" when there is no such thread). */
    private String stack(String thread) throws Exception {
        Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
        Process p = new ProcessBuilder(jstack.toString(), Long.toString(service.handle().pid()))
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        int at = dump.indexOf("\"" + thread + "\"");
        if (at < 0) {
            return "";
        }
        int end = dump.indexOf("\n\n", at);
        return dump.substring(at, end < 0 ? dump.length() : end);
    }
}
