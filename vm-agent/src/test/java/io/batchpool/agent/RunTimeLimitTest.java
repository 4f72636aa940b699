package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.batchpool.agent.JobFixture.CONTAINER;
import static io.batchpool.agent.JobFixture.assign;
import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.exists;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.publishModel;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-job run-time limit ({@code JobSpec.maxRunTime}) on the agent's clock, which the test moves: the limit
 * counts from the attempt's start and fails the attempt for good with Details that name it.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
class RunTimeLimitTest {
    private static final byte[] MODEL = AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP);

    @Inject
    AdjustableClock clock;

    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    @Test
    void anAttemptPastItsRunTimeLimitFailsForGoodAndNamesTheLimit() throws Exception {
        String service = Ids.newId();
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(2_000));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, Duration.ofSeconds(2));
            // the attempt has started and waits for its model: let 3 s pass on the agent's clock, then deliver it
            reader.awaitReport(AttemptStarted.class);
            clock.advance(Duration.ofSeconds(3));
            publishModel(service, 1, MODEL);

            AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
            assertThat(failed.retryable()).as("another attempt would hit the same limit").isFalse();
            assertThat(failed.details()).isEqualTo("the job exceeded the run-time limit of PT2S (stopped after 0 rows)");
            assertThat(reader.seen()).noneMatch(AttemptSucceeded.class::isInstance);
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            assertThat(exists(output)).isFalse();
            assertThat(JobFixture.blobsBeside(output)).isEmpty();
        }

        // the same job with room to spare on the same (advanced) clock runs to the end
        String job2 = Ids.newId();
        try (JobReader reader = new JobReader(job2)) {
            assign(vm, job2, 1, service, input, output, Duration.ofMinutes(10));
            assertThat(reader.awaitReport(AttemptSucceeded.class).rowsScored()).isEqualTo(2_000);
            assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
            send(new RevokeJob(vm.id(), job2, 1, "the test is done"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        }
        deprovision(vm);
    }
}
