package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.contracts.Ids;
import io.batchpool.blob.SharedAzurite;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.batchpool.agent.JobFixture.assign;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting down while an attempt is stuck in a storage call (here: the blob emulator frozen with SIGSTOP mid-attempt):
 * the runner stops taking work, gives the attempt {@code shutdown-grace}, and returns without interrupting it and
 * without an ERROR in the log.
 */
@QuarkusTest
@TestProfile(ShutdownTest.ShortGrace.class)
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LocalFilesResource.class, restrictToAnnotatedClass = false)
class ShutdownTest {
    public static class ShortGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("batchpool.vm-agent.shutdown-grace", "PT1S");
        }
    }

    @Inject
    JobRunner runner;

    @Test
    void stopEndsWithinItsGraceWhileAnAttemptIsStuckInAStorageCallAndLogsNoError() throws Exception {
        JobFixture.awaitReady();
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String input = JobFixture.largeInput();
        String output = JobFixture.CONTAINER + "/" + Ids.newId() + "/scored.csv";
        // the blob emulator, frozen mid-attempt: its storage calls neither answer nor fail
        ProcessHandle azurite = ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> List.of(a).contains(Integer.toString(SharedAzurite.endpoint().getPort()))).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains("--blobPort")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no Azurite process found"));
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(handler);
        try {
            Vm vm = provision();
            String job = Ids.newId();
            try (JobReader reader = new JobReader(job)) {
                assign(vm, job, 1, service, input, output, null);
                reader.awaitReport(AttemptProgressed.class);
                signal("STOP", azurite);
                // the attempt is stuck once its progress stops (it reports every 0.2 s while rows flow)
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    long before = progressed(reader);
                    Thread.sleep(1_000);
                    return progressed(reader) == before;
                });

                long t0 = System.nanoTime();
                runner.stop();
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertThat(millis).as("stop() took %d ms with a grace of 1 s", millis).isLessThan(2_500);
                assertThat(runner.attempts()).as("the stuck attempt is left to end with the process").isEqualTo(1);
            }
            assertThat(errors).extracting(LogRecord::getMessage).isEmpty();
        } finally {
            signal("CONT", azurite);
            Logger.getLogger("").removeHandler(handler);
        }
    }

    private static long progressed(JobReader reader) {
        reader.poll();
        return reader.seen().stream().filter(AttemptProgressed.class::isInstance).count();
    }

    private static void signal(String signal, ProcessHandle process) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor()).isZero();
    }
}
