package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.ScoredCsv;
import io.batchpool.testkit.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.batchpool.agent.JobFixture.CONTAINER;
import static io.batchpool.agent.JobFixture.assign;
import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.exists;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Job attempts on a VM of the local provisioner, on the shared broker and Azurite: assignments in, reports out, as
 * job-dispatcher sees them, with a real model and real blobs.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
class JobExecutionTest {
    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    @Test
    void scoresCommitsAndTheResultDownloadsWithPlainHttp() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        int rows = 2_000;
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(rows));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();

        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, null);
            AttemptSucceeded succeeded = reader.awaitReport(AttemptSucceeded.class);
            assertThat(succeeded.rowsScored()).isEqualTo(rows);
            assertThat(reader.seen().get(0)).isInstanceOf(AttemptStarted.class);
            assertThat(exists(output)).as("nothing at the final name before the commit").isFalse();

            send(new CommitResults(vm.id(), job, 1));
            ResultsCommitted committed = reader.awaitReport(ResultsCommitted.class);
            assertThat(committed.queueId()).isEqualTo(vm.pool());
            assertThat(committed.vmId()).isEqualTo(vm.id());
            assertThat(reader.records()).allSatisfy(r -> assertThat(r.key()).isEqualTo(vm.pool()));
            List<Long> sequences = reader.records().stream().map(r -> r.value().sequence()).toList();
            assertThat(sequences).startsWith(1L).isSorted().doesNotHaveDuplicates();

            ResultLocation result = committed.results().get("output1");
            assertThat(result.sasBlobToken()).as("sealed on Kafka").startsWith("v1:");
            String token = JobFixture.cipher().decrypt(result.sasBlobToken());
            assertThat(token).startsWith("?").doesNotContain("AccountKey");
            HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(result.baseLocation() + result.relativeLocation() + token)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(download.statusCode()).isEqualTo(200);
            ScoredCsv.check(download.body(), rows);
            String folder = output.substring(CONTAINER.length() + 1, output.lastIndexOf('/') + 1);
            assertThat(JobFixture.blobNames(folder)).as("no temporary blob").containsExactly(output.substring(CONTAINER.length() + 1));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    @Test
    void aMissingInputBlobFailsTheAttemptForGood() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String missing = Ids.newId() + "-missing.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, CONTAINER + "/" + missing, CONTAINER + "/" + Ids.newId() + ".csv", null);
            AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
            assertThat(failed.retryable()).isFalse();
            assertThat(failed.details()).contains(missing).doesNotContain("AccountKey").doesNotContain("sig=");
            assertThat(reader.seen()).noneMatch(AttemptSucceeded.class::isInstance);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    @Test
    void revokeStopsARunningAttemptThatLeavesNothingBehind() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String input = JobFixture.largeInput();
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, null);
            AttemptProgressed progressed = reader.awaitReport(AttemptProgressed.class);
            assertThat(progressed.rowsScored()).isPositive().isLessThan(JobFixture.LARGE_ROWS);
            send(new RevokeJob(vm.id(), job, 1, "cancelled by the test"));

            await().atMost(20, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            assertThat(exists(output)).isFalse();
            String folder = output.substring(CONTAINER.length() + 1, output.lastIndexOf('/') + 1);
            assertThat(JobFixture.blobNames(folder)).as("nothing in the container: staged blocks are invisible").isEmpty();
            reader.drain();
            assertThat(reader.seen()).noneMatch(r -> r instanceof AttemptSucceeded || r instanceof AttemptFailed);
        }
        deprovision(vm);
    }
}
