package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.ResultsCommitted;
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
import static io.batchpool.agent.JobFixture.deprovisionAndAwaitStopped;
import static io.batchpool.agent.JobFixture.exists;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A VM that the local provisioner deprovisions takes its attempts with it: they stop, their temporary outputs are
 * discarded, and nothing claims success (the dispatcher retries the job from the VM's deletion).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
class VmStopTest {
    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    @Test
    void deprovisionStopsARunningAttemptWithoutReportsAndDiscardsItsOutput() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String input = JobFixture.largeInput();
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, null);
            assertThat(reader.awaitReport(AttemptProgressed.class).rowsScored()).isLessThan(JobFixture.LARGE_ROWS);

            deprovisionAndAwaitStopped(vm);
            await().atMost(20, TimeUnit.SECONDS).until(() -> runner.attemptsOn(vm.id()) == 0);
            assertThat(exists(output)).isFalse();
            assertThat(JobFixture.blobsBeside(output)).as("staged blocks are invisible").isEmpty();
            reader.drain(); // every report the worker sent before it ended is on the topic by now
            assertThat(reader.seen()).noneMatch(VmStopTest::endsTheAttempt);
        }
    }

    @Test
    void deprovisionDiscardsTheOutputsOfASucceededAttemptThatIsNeverCommitted() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(300));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, null);
            reader.awaitReport(AttemptSucceeded.class);
            assertThat(JobFixture.stagedBlocks(output, job + "-1")).as("staged, not committed").isPositive();
            assertThat(runner.attemptsOn(vm.id())).as("waiting for its CommitResults").isEqualTo(1);

            deprovisionAndAwaitStopped(vm);
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attemptsOn(vm.id()) == 0);
            assertThat(JobFixture.blobsBeside(output)).as("nothing visible").isEmpty();

            // a CommitResults that was on its way (the dispatcher saw AttemptSucceeded before the VM's deletion):
            // nothing is committed, and the agent says so (the dispatcher may be awaiting this attempt's outcome)
            send(new CommitResults(vm.id(), job, 1));
            AttemptFailed refused = reader.awaitReport(AttemptFailed.class);
            assertThat(refused.retryable()).isTrue();
            assertThat(refused.details()).contains("was not committed");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> {
                reader.poll();
                return reader.seen().stream().noneMatch(ResultsCommitted.class::isInstance);
            });
            assertThat(exists(output)).isFalse();
        }
    }

    private static boolean endsTheAttempt(JobReport report) {
        return report instanceof AttemptSucceeded || report instanceof AttemptFailed
                || report instanceof ResultsCommitted;
    }
}
