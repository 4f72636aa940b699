package io.batchpool.agent;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.blob.SecretCipher;
import io.batchpool.blob.SharedAzurite;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.kit.KafkaClients;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.batchpool.agent.JobFixture.CONTAINER;
import static io.batchpool.agent.JobFixture.assign;
import static io.batchpool.agent.JobFixture.cipher;
import static io.batchpool.agent.JobFixture.deprovisionAndAwaitStopped;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Storage credentials never leave the agent: jobs whose input is given by a connection string with the account key
 * and whose output by a SAS token (one that works, one refused, a missing input, a wrong key) run while this test
 * captures every log record of the process (io.batchpool and com.azure at DEBUG) and then reads every record of
 * job-reports and vm-reports produced meanwhile. Neither holds the account key or a SAS signature: the Results
 * token of {@code ResultsCommitted} (the caller's own SAS echoed, DESIGN §3 "Outputs and Results") is sealed.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
class SecretsStayOutTest {
    /** "sig=" followed by anything but the redaction marker. */
    private static final Pattern UNREDACTED_SIG = Pattern.compile("(?i)sig=(?!REDACTED)");
    private static final Pattern UNREDACTED_KEY = Pattern.compile("(?i)AccountKey=(?!\\*\\*\\*)");
    private static final Pattern SIG_VALUE = Pattern.compile("[?&]sig=([^&]+)");

    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    @Test
    void noAccountKeyAndNoSasSignatureInTheLogOrOnTheReportTopics() throws Exception {
        String accountKey = accountKey(SharedAzurite.connectionString());
        String wrongKey = Base64.getEncoder().encodeToString(Ids.newId().repeat(2).getBytes(StandardCharsets.US_ASCII));
        BlobContainerClient admin = new BlobServiceClientBuilder().endpoint(SharedAzurite.endpoint().toString())
                .credential(new StorageSharedKeyCredential("devstoreaccount1", accountKey))
                .buildClient().getBlobContainerClient(CONTAINER);
        String writeSas = "?" + admin.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                BlobContainerSasPermission.parse("rwdl")));
        String readOnlySas = "?" + admin.generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now().plusHours(1), BlobContainerSasPermission.parse("r")));
        List<String> secrets = new ArrayList<>(List.of(accountKey, wrongKey));
        for (String token : List.of(writeSas, readOnlySas)) {
            String sig = sig(token);
            secrets.add(sig);
            secrets.add(URLDecoder.decode(sig, StandardCharsets.UTF_8));
        }

        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(600));
        String keyInput = SharedAzurite.connectionString();
        String wrongKeyInput = keyInput.replace(accountKey, wrongKey);

        Map<String, Long> start = endOffsets();
        LogCapture log = LogCapture.install("io.batchpool", "com.azure");
        List<String> jobs = new ArrayList<>();
        String goodOutput = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        try {
            Vm vm = provision();
            // 1. works: input by account key, output by SAS; committed
            String job = Ids.newId();
            jobs.add(job);
            try (JobReader reader = new JobReader(job)) {
                assign(vm, job, 1, service, connectionString(keyInput, input), sas(writeSas, goodOutput), null);
                reader.awaitReport(AttemptSucceeded.class);
                send(new CommitResults(vm.id(), job, 1));
                ResultLocation result = reader.awaitReport(ResultsCommitted.class).results().get("output1");
                assertThat(SecretCipher.isEncrypted(result.sasBlobToken())).as("sealed on Kafka").isTrue();
                assertThat(JobFixture.cipher().decrypt(result.sasBlobToken()))
                        .as("the caller's own token, echoed as the contract says").isEqualTo(writeSas);
            }
            // 2. the SAS does not allow writing; 3. the input is missing; 4. the account key is wrong: each fails for
            // good with Details that say why (and carry no credential, checked below with everything else)
            String missing = Ids.newId() + "-missing.csv";
            List<Failing> failing = List.of(
                    new Failing(connectionString(keyInput, input), sas(readOnlySas, CONTAINER + "/" + Ids.newId() + ".csv"),
                            "storage answered 403"),
                    new Failing(connectionString(keyInput, CONTAINER + "/" + missing),
                            sas(writeSas, CONTAINER + "/" + Ids.newId() + ".csv"), missing),
                    new Failing(connectionString(wrongKeyInput, input), sas(writeSas, CONTAINER + "/" + Ids.newId() + ".csv"),
                            "403"));
            for (Failing f : failing) {
                String failingJob = Ids.newId();
                jobs.add(failingJob);
                try (JobReader reader = new JobReader(failingJob)) {
                    assign(vm, failingJob, 1, service, f.in, f.out, null);
                    AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
                    assertThat(failed.retryable()).as(failed.details()).isFalse();
                    assertThat(failed.details()).contains(f.detail);
                }
            }
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            deprovisionAndAwaitStopped(vm);
        } finally {
            log.uninstall();
        }

        // the log: nothing at all that looks like a credential
        String logText = log.text();
        assertThat(logText).as("the capture works").contains(jobs.get(0)).contains(jobs.get(jobs.size() - 1));
        assertNoSecret("the log", logText, secrets);
        assertThat(UNREDACTED_SIG.matcher(logText).find()).as("an unredacted sig= in the log").isFalse();
        assertThat(UNREDACTED_KEY.matcher(logText).find()).as("an unredacted AccountKey= in the log").isFalse();

        // the report topics: every record produced during the test
        List<ConsumerRecord<String, byte[]>> records = readFrom(start);
        assertThat(records).as("reports of the test's jobs and VM").hasSizeGreaterThanOrEqualTo(8);
        int committed = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            JsonNode node = EventCodec.MAPPER.readTree(record.value());
            if ("ResultsCommitted".equals(node.path("type").asText())) {
                committed++;
            }
            String text = EventCodec.MAPPER.writeValueAsString(node);
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            assertNoSecret(where, text, secrets);
            assertThat(text).as(where).doesNotContainIgnoringCase("sig=").doesNotContainIgnoringCase("AccountKey");
        }
        assertThat(committed).as("the committed job's ResultsCommitted was among the records").isEqualTo(1);
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private record Failing(BlobLocation in, BlobLocation out, String detail) {
    }

    private static BlobLocation connectionString(String connectionString, String relative) {
        return new BlobLocation(BlobLocation.Kind.CONNECTION_STRING, SharedAzurite.endpoint().toString(), relative,
                cipher().encrypt(connectionString));
    }

    private static BlobLocation sas(String token, String relative) {
        return new BlobLocation(BlobLocation.Kind.SAS, SharedAzurite.endpoint().toString(), relative,
                cipher().encrypt(token));
    }

    private static String accountKey(String connectionString) {
        Matcher m = Pattern.compile("AccountKey=([^;]+)").matcher(connectionString);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String sig(String token) {
        Matcher m = SIG_VALUE.matcher(token);
        assertThat(m.find()).as("a SAS token has a signature").isTrue();
        return m.group(1);
    }

    private static void assertNoSecret(String where, String text, List<String> secrets) {
        for (String secret : secrets) {
            assertThat(text.contains(secret)).as("%s contains a credential (%s...)", where,
                    secret.substring(0, 4)).isFalse();
        }
    }

    private static Map<String, Long> endOffsets() {
        try (KafkaConsumer<String, byte[]> c = reportConsumer()) {
            Map<String, Long> offsets = new HashMap<>();
            c.endOffsets(partitions(c)).forEach((tp, offset) -> offsets.put(tp.toString(), offset));
            return offsets;
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readFrom(Map<String, Long> start) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = reportConsumer()) {
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                c.seek(tp, start.getOrDefault(tp.toString(), 0L));
            }
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            await().atMost(30, TimeUnit.SECONDS).pollDelay(Duration.ZERO).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(records::add);
                return end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
            });
        }
        return records;
    }

    private static KafkaConsumer<String, byte[]> reportConsumer() {
        return new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "secrets-" + Ids.newId()));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.JOB_REPORTS, Topics.VM_REPORTS)) {
            c.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    /** Every log record of this process while installed, formatted, with its stack trace. */
    static final class LogCapture extends Handler {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final SimpleFormatter plain = new SimpleFormatter();
        private final Map<Logger, Level> levels = new HashMap<>();

        /** Captures on the root logger; {@code debugCategories} log at DEBUG meanwhile (more paths, more text). */
        static LogCapture install(String... debugCategories) {
            LogCapture capture = new LogCapture();
            capture.setLevel(Level.ALL);
            for (String category : debugCategories) {
                Logger logger = Logger.getLogger(category);
                capture.levels.put(logger, logger.getLevel());
                logger.setLevel(Level.FINE);
            }
            Logger.getLogger("").addHandler(capture);
            return capture;
        }

        void uninstall() {
            Logger.getLogger("").removeHandler(this);
            levels.forEach(Logger::setLevel);
        }

        String text() {
            return String.join("\n", lines);
        }

        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : plain.formatMessage(record);
            StringBuilder line = new StringBuilder(record.getLoggerName() + " " + record.getLevel() + " " + message);
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
