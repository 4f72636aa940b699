package io.batchpool.agent;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.blob.BlobStore;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.scoring.CsvScorer;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
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
import java.time.Duration;
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
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
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
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
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
            checkScored(download.body(), rows);
            assertThat(exists(BlobStore.temporaryBlobName(output, job + "-1"))).isFalse();
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
    void revokeStopsARunningAttemptAndDiscardsItsTemporaryOutput() throws Exception {
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
            await().atMost(10, TimeUnit.SECONDS).until(() ->
                    !exists(BlobStore.temporaryBlobName(output, job + "-1")));
            assertThat(exists(output)).isFalse();
            reader.drain();
            assertThat(reader.seen()).noneMatch(r -> r instanceof AttemptSucceeded || r instanceof AttemptFailed);
        }
        deprovision(vm);
    }

    /** Every row of the downloaded CSV is the input row plus the model's label and probability. */
    static void checkScored(String body, int rows) throws Exception {
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(body)) {
            List<CsvRecord> records = reader.stream().toList();
            List<String> header = records.get(0).getFields();
            assertThat(header.subList(0, AdultCensusData.HEADER.size())).isEqualTo(AdultCensusData.HEADER);
            assertThat(header.subList(AdultCensusData.HEADER.size(), header.size()))
                    .containsExactly(CsvScorer.SCORED_LABELS, CsvScorer.SCORED_PROBABILITIES);
            assertThat(records).hasSize(rows + 1);
            int labelAt = header.indexOf(CsvScorer.SCORED_LABELS);
            for (int i = 1; i <= rows; i++) {
                List<String> cells = records.get(i).getFields();
                AdultCensusModel.Expected expected = AdultCensusModel.expected(
                        AdultCensusData.asMap(header, cells));
                assertThat(cells.get(labelAt)).as("row %d label", i)
                        .isEqualTo(expected.label(AdultCensusModel.Variant.ZIPMAP));
                assertThat(Double.parseDouble(cells.get(labelAt + 1))).as("row %d probability", i)
                        .isCloseTo(expected.probability(), within(1e-5));
            }
        }
    }
}
