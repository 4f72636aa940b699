package io.batchpool.agent;

import io.batchpool.blob.SharedAzurite;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.kit.KafkaClients;
import io.batchpool.scoring.CsvScorer;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    private static final EventCodec<ProvisionerCommand> COMMANDS = new EventCodec<>(ProvisionerCommand.class);
    private static final EventCodec<Assignment> ASSIGNMENTS = new EventCodec<>(Assignment.class);
    private static final EventCodec<JobReport> REPORTS = new EventCodec<>(JobReport.class);
    private static final String CONTAINER = "vm-agent-jobs";
    private static KafkaProducer<String, byte[]> producer;
    private static BlobStore store;

    @Inject
    JobRunner runner;

    @ConfigProperty(name = "batchpool.vm-agent.model-dir")
    String modelDir;

    @ConfigProperty(name = "batchpool.secrets.key")
    String secretsKey;

    @BeforeAll
    static void clients() {
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "vm-agent-test-jobs"));
        store = new BlobStore(SharedAzurite.policy());
        store.createContainerIfMissing(ref(CONTAINER + "/any"));
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @BeforeEach
    void ready() {
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    void scoresCommitsAndTheResultDownloadsWithPlainHttp() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(Path.of(modelDir, service, "1", "model.onnx"));
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
            assertThat(store.exists(ref(output))).as("nothing at the final name before the commit").isFalse();

            send(new CommitResults(vm.id, job, 1));
            ResultsCommitted committed = reader.awaitReport(ResultsCommitted.class);
            assertThat(committed.queueId()).isEqualTo(vm.pool);
            assertThat(committed.vmId()).isEqualTo(vm.id);
            assertThat(reader.records()).allSatisfy(r -> assertThat(r.key()).isEqualTo(vm.pool));
            List<Long> sequences = reader.records().stream().map(r -> r.value().sequence()).toList();
            assertThat(sequences).startsWith(1L).isSorted().doesNotHaveDuplicates();

            ResultLocation result = committed.results().get("output1");
            assertThat(result.sasBlobToken()).startsWith("?").doesNotContain("AccountKey");
            HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(result.baseLocation() + result.relativeLocation() + result.sasBlobToken())).GET()
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(download.statusCode()).isEqualTo(200);
            checkScored(download.body(), rows);
            assertThat(store.exists(ref(BlobStore.temporaryBlobName(output, job + "-1")))).isFalse();
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    @Test
    void aMissingInputBlobFailsTheAttemptForGood() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(Path.of(modelDir, service, "1", "model.onnx"));
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
        // a web service version whose model is not on this VM
        String job2 = Ids.newId();
        try (JobReader reader = new JobReader(job2)) {
            String unknown = Ids.newId();
            assign(vm, job2, 1, unknown, CONTAINER + "/" + missing, CONTAINER + "/" + Ids.newId() + ".csv", null);
            AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
            assertThat(failed.retryable()).isFalse();
            assertThat(failed.details()).isEqualTo("model of web service " + unknown
                    + " version 1 is not available on this VM");
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    @Test
    void revokeStopsARunningAttemptAndDiscardsItsTemporaryOutput() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(Path.of(modelDir, service, "1", "model.onnx"));
        String input = CONTAINER + "/" + Ids.newId() + "/large.csv";
        upload(input, AdultCensusData.csv(400_000));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, input, output, null);
            AttemptProgressed progressed = reader.awaitReport(AttemptProgressed.class);
            assertThat(progressed.rowsScored()).isPositive().isLessThan(400_000);
            send(new RevokeJob(vm.id, job, 1, "cancelled by the test"));

            await().atMost(20, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            await().atMost(10, TimeUnit.SECONDS).until(() ->
                    !store.exists(ref(BlobStore.temporaryBlobName(output, job + "-1"))));
            assertThat(store.exists(ref(output))).isFalse();
            reader.poll();
            assertThat(reader.seen()).noneMatch(r -> r instanceof AttemptSucceeded || r instanceof AttemptFailed);
        }
        deprovision(vm);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private record Vm(String id, String pool) {
    }

    private static BlobReference ref(String relative) {
        return BlobReference.parse(SharedAzurite.developmentStorageConnectionString(), null, relative, null, SharedAzurite.policy());
    }

    private static void upload(String relative, InputStream csv) throws Exception {
        BlobReference ref = ref(relative);
        try (InputStream in = csv; OutputStream out = store.openWrite(ref, "upload")) {
            in.transferTo(out);
        }
        store.commit(ref, "upload");
    }

    private Vm provision() {
        Vm vm = new Vm(Ids.newId(), Ids.newId());
        try (LocalProvisionerTest.ReportReader reader = new LocalProvisionerTest.ReportReader(vm.id)) {
            sendCommand(new ProvisionVm(vm.id, vm.pool, 2));
            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmBooted));
        }
        return vm;
    }

    private void deprovision(Vm vm) {
        sendCommand(new DeprovisionVm(vm.id, vm.pool));
    }

    private void assign(Vm vm, String job, int attempt, String service, String input, String output,
                        Duration maxRunTime) {
        SecretCipher cipher = SecretCipher.fromBase64Key(secretsKey);
        String endpoint = SharedAzurite.endpoint().toString();
        BlobLocation in = new BlobLocation(BlobLocation.Kind.CONNECTION_STRING, endpoint, input,
                cipher.encrypt(SharedAzurite.developmentStorageConnectionString()));
        BlobLocation out = new BlobLocation(BlobLocation.Kind.CONNECTION_STRING, endpoint, output,
                cipher.encrypt(SharedAzurite.developmentStorageConnectionString()));
        JobSpec spec = new JobSpec(job, Ids.newId(), service, 1, vm.pool, Map.of("input1", in),
                Map.of("output1", out), Map.of(), maxRunTime);
        send(new AssignJob(vm.id, job, attempt, spec));
    }

    private static void send(Assignment assignment) {
        try {
            producer.send(new ProducerRecord<>(Topics.ASSIGNMENTS, assignment.vmId(),
                    ASSIGNMENTS.encode(Envelope.of(assignment, 1, Instant.now())))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sendCommand(ProvisionerCommand command) {
        try {
            producer.send(new ProducerRecord<>(Topics.PROVISIONER_COMMANDS, command.vmId(),
                    COMMANDS.encode(Envelope.of(command, 1, Instant.now())))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of the downloaded CSV is the input row plus the model's label and probability. */
    private static void checkScored(String body, int rows) throws Exception {
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

    /** The reports of one job published from now on (positioned at the end before anything is sent). */
    static final class JobReader implements AutoCloseable {
        private final String jobId;
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<ConsumerRecord<String, Envelope<JobReport>>> records = new ArrayList<>();

        JobReader(String jobId) {
            this.jobId = jobId;
            consumer = new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "jobs-" + jobId));
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_REPORTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Envelope<JobReport> report = REPORTS.decode(r.value());
                if (report.data().jobId().equals(jobId)) {
                    records.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), report));
                }
            }
        }

        <T extends JobReport> T awaitReport(Class<T> type) {
            await().atMost(30, TimeUnit.SECONDS).pollDelay(Duration.ZERO).until(() -> {
                poll();
                return seen().stream().anyMatch(type::isInstance);
            });
            return seen().stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
        }

        List<JobReport> seen() {
            return records.stream().map(r -> r.value().data()).toList();
        }

        List<ConsumerRecord<String, Envelope<JobReport>>> records() {
            return List.copyOf(records);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
