package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.batchpool.agent.JobFixture.assign;
import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs on local files (the embedded default), on the shared broker: the input is streamed from a file under
 * {@code batchpool.local-files.root}, each attempt writes {@code <output>.attempt-<attemptId>.tmp} next to the output,
 * and only the committed attempt's file is moved (atomically) onto the output's name.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LocalFilesResource.class, restrictToAnnotatedClass = false)
class LocalFileJobTest {
    private static String largeInput;

    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    static Path root() {
        return Path.of(ConfigProvider.getConfig().getValue("batchpool.local-files.root", String.class));
    }

    static String service() throws Exception {
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        return service;
    }

    /** An input of {@link JobFixture#LARGE_ROWS} rows, written once per test JVM (inputs are only read). */
    static synchronized String largeInput() throws Exception {
        if (largeInput == null) {
            String path = "inputs-" + Ids.newId() + "/large.csv";
            AdultCensusData.writeCsv(Files.createDirectories(root().resolve(path).getParent()).resolve("large.csv"),
                    JobFixture.LARGE_ROWS);
            largeInput = path;
        }
        return largeInput;
    }

    static List<String> filesIn(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static long count(JobReader reader, Class<? extends JobReport> type) {
        reader.poll();
        return reader.seen().stream().filter(type::isInstance).count();
    }

    @Test
    void scoresALocalFileAndOnlyTheCommittedAttemptReachesTheOutputName() throws Exception {
        String service = service();
        int rows = 2_000;
        String dir = "job-" + Ids.newId();
        AdultCensusData.writeCsv(Files.createDirectories(root().resolve(dir)).resolve("input.csv"), rows);
        String output = dir + "/out/scored.csv";
        Vm vm = provision(); // two slots: the job's current attempt and a zombie of it
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, BlobLocation.localFile(dir + "/input.csv"), BlobLocation.localFile(output), null);
            assign(vm, job, 2, service, BlobLocation.localFile(dir + "/input.csv"), BlobLocation.localFile(output), null);
            await().atMost(30, TimeUnit.SECONDS).until(() -> count(reader, AttemptSucceeded.class) == 2);
            assertThat(reader.seen()).filteredOn(AttemptSucceeded.class::isInstance)
                    .allSatisfy(r -> assertThat(((AttemptSucceeded) r).rowsScored()).isEqualTo(rows));
            assertThat(filesIn(root().resolve(dir + "/out"))).as("each attempt its temporary file, no output yet")
                    .containsExactly("scored.csv.attempt-" + job + "-1.tmp", "scored.csv.attempt-" + job + "-2.tmp");

            // attempt 1 is the zombie: revoked after it succeeded, its file goes; attempt 2 is committed
            send(new RevokeJob(vm.id(), job, 1, "the test made attempt 2 current"));
            await().atMost(10, TimeUnit.SECONDS).until(() ->
                    !Files.exists(root().resolve(dir + "/out/scored.csv.attempt-" + job + "-1.tmp")));
            send(new CommitResults(vm.id(), job, 2));
            ResultsCommitted committed = reader.awaitReport(ResultsCommitted.class);
            assertThat(committed.attempt()).isEqualTo(2);
            assertThat(committed.queueId()).isEqualTo(vm.pool());
            ResultLocation result = committed.results().get("output1");
            assertThat(result).as("a local file, no credential: the gateway signs its download URL")
                    .isEqualTo(new ResultLocation("file:", output, null));
            assertThat(result.pointsToLocalFile()).isTrue();
            assertThat(filesIn(root().resolve(dir + "/out"))).containsExactly("scored.csv");
            io.batchpool.scoring.fixtures.ScoredCsv.check(Files.readString(root().resolve(output), StandardCharsets.UTF_8), rows);
            reader.drain();
            assertThat(reader.seen()).filteredOn(ResultsCommitted.class::isInstance).hasSize(1);
            assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    @Test
    void aRevokedRunningAttemptLeavesNoFile() throws Exception {
        String service = service();
        String input = largeInput();
        String dir = "job-" + Ids.newId();
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, BlobLocation.localFile(input), BlobLocation.localFile(dir + "/scored.csv"), null);
            AttemptProgressed progressed = reader.awaitReport(AttemptProgressed.class);
            assertThat(progressed.rowsScored()).isPositive().isLessThan(JobFixture.LARGE_ROWS);
            assertThat(filesIn(root().resolve(dir))).as("writing its temporary file")
                    .containsExactly("scored.csv.attempt-" + job + "-1.tmp");
            send(new RevokeJob(vm.id(), job, 1, "cancelled by the test"));

            await().atMost(20, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            await().atMost(10, TimeUnit.SECONDS).until(() -> filesIn(root().resolve(dir)).isEmpty());
            reader.drain();
            assertThat(reader.seen()).noneMatch(r -> r instanceof AttemptSucceeded || r instanceof AttemptFailed
                    || r instanceof ResultsCommitted);
        }
        assertThat(Files.size(root().resolve(input))).as("the input is untouched").isPositive();
        deprovision(vm);
    }

    @Test
    void aMissingInputFileFailsTheAttemptForGoodNamingIt() throws Exception {
        String service = service();
        String missing = "nowhere-" + Ids.newId() + "/input.csv";
        String dir = "job-" + Ids.newId();
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, BlobLocation.localFile(missing), BlobLocation.localFile(dir + "/scored.csv"),
                    null);
            AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
            assertThat(failed.retryable()).isFalse();
            assertThat(failed.details()).isEqualTo("input 'input1': local file '" + missing + "' does not exist");
            assertThat(reader.seen()).noneMatch(AttemptSucceeded.class::isInstance);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        assertThat(filesIn(root().resolve(dir))).as("no output, no temporary file").isEmpty();
        deprovision(vm);
    }

    @Test
    void aPathOutOfTheRootFailsTheAttemptForGood() throws Exception {
        // the gateway refuses such paths; an agent does not trust the message either
        String service = service();
        Path outside = Files.createTempDirectory("vm-agent-outside-root");
        Files.writeString(outside.resolve("secret.csv"), "age\n1\n");
        String link = "link-" + Ids.newId();
        Files.createSymbolicLink(root().resolve(link), outside);
        Vm vm = provision();
        for (String bad : List.of("../" + outside.getFileName() + "/secret.csv", link + "/secret.csv")) {
            String job = Ids.newId();
            try (JobReader reader = new JobReader(job)) {
                assign(vm, job, 1, service, BlobLocation.localFile(bad), BlobLocation.localFile(link + "/out.csv"), null);
                AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
                assertThat(failed.retryable()).as(bad).isFalse();
                assertThat(failed.details()).as(bad).startsWith("input 'input1': ")
                        .doesNotContain(outside.toString()).doesNotContain(root().toString());
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        assertThat(filesIn(outside)).containsExactly("secret.csv");
        deprovision(vm);
    }
}
