package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.consumer.ModelConsumer;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.batchpool.agent.JobFixture.CONTAINER;
import static io.batchpool.agent.JobFixture.assign;
import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.exists;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.publishModel;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.upload;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;

/**
 * Models reach the agent through the service-models topic (as api-gateway publishes them), on the shared broker:
 * written to the model directory, read again from the beginning on a restart, waited for by an attempt that needs a
 * version not on disk yet.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
class ModelDistributionTest {
    private static final byte[] ADULT_CENSUS = AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP);

    @Inject
    ModelConsumer consumer;

    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    @Test
    void publishedModelsAreWrittenAndARestartReadsTheWholeTopicAgain() throws Exception {
        given().get("/q/health/ready").then().body("checks.name", hasItem("service-models-consumer"));
        long skippedBefore = consumer.skipped().count();
        String small = Ids.newId();
        String large = Ids.newId();
        // larger than the broker's default max.message.bytes and the consumer's default max.partition.fetch.bytes
        // (1 MiB each): only the topic's and the consumer's raised limits let it through
        byte[] big = new byte[3 << 20];
        new Random(7).nextBytes(big);

        publishModel(small, 1, ADULT_CENSUS);
        publishModel(large, 2, big);
        Path smallFile = modelDir().resolve(small).resolve("1").resolve("model.onnx");
        Path largeFile = modelDir().resolve(large).resolve("2").resolve("model.onnx");
        await().atMost(30, TimeUnit.SECONDS).until(() -> Files.exists(smallFile) && Files.exists(largeFile));
        assertThat(Files.readAllBytes(smallFile)).isEqualTo(ADULT_CENSUS);
        assertThat(Files.readAllBytes(largeFile)).isEqualTo(big);
        assertThat(temporaryFiles()).isZero();

        // a restart reads the topic from the beginning: a missing version is written again, one on disk is kept
        Object largeFileKey = Files.readAttributes(largeFile, BasicFileAttributes.class).fileKey();
        long largeModified = Files.getLastModifiedTime(largeFile).toMillis();
        Files.delete(smallFile);
        long presentBefore = consumer.present();
        consumer.stop();
        assertThat(consumer.caughtUp()).isFalse();
        consumer.start(SharedBroker.bootstrap());
        await().atMost(60, TimeUnit.SECONDS).until(consumer::caughtUp);
        assertThat(smallFile).exists();
        assertThat(Files.readAllBytes(smallFile)).isEqualTo(ADULT_CENSUS);
        assertThat(Files.readAttributes(largeFile, BasicFileAttributes.class).fileKey())
                .as("a version on disk is not written again").isEqualTo(largeFileKey);
        assertThat(Files.getLastModifiedTime(largeFile).toMillis()).isEqualTo(largeModified);
        assertThat(consumer.present() - presentBefore).as("versions found on disk while reading again")
                .isGreaterThanOrEqualTo(1);
        assertThat(consumer.skipped().count()).isEqualTo(skippedBefore);
    }

    @Test
    void aModelPublishedAfterTheAssignmentStillRunsTheJob() throws Exception {
        String service = Ids.newId();
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(300));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, null);
            reader.awaitReport(AttemptStarted.class);
            // the attempt has started and its model is nowhere yet: it waits for it
            assertThat(modelDir().resolve(service)).doesNotExist();
            publishModel(service, 1, ADULT_CENSUS);

            AttemptSucceeded succeeded = reader.awaitReport(AttemptSucceeded.class);
            assertThat(succeeded.rowsScored()).isEqualTo(300);
            assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
            assertThat(JobFixture.stagedBlocks(output, job + "-1")).as("staged, not committed").isPositive();

            send(new RevokeJob(vm.id(), job, 1, "the test is done"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        }
        deprovision(vm);
    }

    @Test
    void aModelThatNeverArrivesFailsTheAttemptRetryably() {
        String unknown = Ids.newId();
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, unknown, CONTAINER + "/" + Ids.newId() + ".csv",
                    CONTAINER + "/" + Ids.newId() + ".csv", null);
            AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
            assertThat(failed.retryable()).as("another VM, or a later attempt, may have the model").isTrue();
            assertThat(failed.details()).isEqualTo("model of web service " + unknown
                    + " version 1 is not available on this VM (not received within PT5S)");
            assertThat(reader.seen().get(0)).isInstanceOf(AttemptStarted.class);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    private static long temporaryFiles() throws Exception {
        try (Stream<Path> files = Files.walk(modelDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }
}
