package io.batchpool.agent;

import com.azure.storage.blob.models.BlobProperties;
import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.blob.StagedBlob;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.ScoredCsv;
import io.batchpool.testkit.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.batchpool.agent.JobFixture.CONTAINER;
import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job's output is committed once, whichever of its attempts is told to commit and in whatever order: the commit is
 * conditional on the output not holding an attempt of the same job (a blob's {@code batchpoolattempt} metadata read
 * and an If-Match Put Block List on Azurite; a local file's extended attribute). This is what keeps a job whose
 * attempt 1 committed late, after its VM was declared lost and attempt 2 had run, from being committed twice.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LocalFilesResource.class, restrictToAnnotatedClass = false)
class CommitOnceTest {
    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    static long count(JobReader reader, Class<? extends JobReport> type) {
        reader.poll();
        return reader.seen().stream().filter(type::isInstance).count();
    }

    static List<ResultsCommitted> committed(JobReader reader) {
        reader.poll();
        return reader.seen().stream().filter(ResultsCommitted.class::isInstance).map(ResultsCommitted.class::cast)
                .toList();
    }

    /**
     * Attempt 1 of a job is told to commit and commits; its report lags (its VM was declared lost), the job is retried
     * and attempt 2, on another VM, stages its output after that commit and is told to commit: it finds the blob
     * holding attempt 1's output and commits nothing (unconditionally it would commit the job a second time). Then
     * the other way round: an attempt told to commit after a later attempt of its job committed (a zombie whose
     * CommitResults was read late) commits nothing either (unconditionally it would fail: the other commit dropped its
     * blocks).
     */
    @Test
    void aSecondAttemptOfAJobNeverCommitsItsBlobAgain() throws Exception {
        String service = LocalFileJobTest.service();
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(300));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        String blobName = output.substring(CONTAINER.length() + 1);
        Vm a = provision();
        Vm b = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            JobFixture.assign(a, job, 1, service, input, output, null);
            reader.awaitReport(AttemptSucceeded.class);
            send(new CommitResults(a.id(), job, 1));
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed(reader).size() == 1);
            BlobProperties first = JobFixture.container().getBlobClient(blobName).getProperties();
            assertThat(first.getMetadata()).containsEntry(StagedBlob.ATTEMPT_METADATA, job + "-1");

            JobFixture.assign(b, job, 2, service, input, output, null);
            await().atMost(30, TimeUnit.SECONDS).until(() -> count(reader, AttemptSucceeded.class) == 2);
            assertThat(JobFixture.stagedBlocks(output, job + "-2")).as("attempt 2 staged its output").isPositive();
            send(new CommitResults(b.id(), job, 2));
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed(reader).size() == 2);
            BlobProperties after = JobFixture.container().getBlobClient(blobName).getProperties();
            assertThat(after.getETag()).as("attempt 2 committed nothing: the blob is attempt 1's, unchanged")
                    .isEqualTo(first.getETag());
            assertThat(after.getMetadata()).containsEntry(StagedBlob.ATTEMPT_METADATA, job + "-1");
            assertThat(JobFixture.stagedBlocks(output, job + "-2")).as("attempt 2's blocks stay uncommitted")
                    .isPositive();
            assertThat(committed(reader)).extracting(ResultsCommitted::attempt).containsExactly(1, 2);
            assertThat(committed(reader).get(1).results().keySet()).containsExactly("output1");
            assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
            ScoredCsv.check(JobFixture.container().getBlobClient(blobName).downloadContent().toString(), 300);
        }

        // the other order: attempt 2 (current) commits first, the zombie attempt 1 is told to commit afterwards
        String late = Ids.newId();
        String lateOutput = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        String lateName = lateOutput.substring(CONTAINER.length() + 1);
        try (JobReader reader = new JobReader(late)) {
            JobFixture.assign(a, late, 1, service, input, lateOutput, null);
            JobFixture.assign(b, late, 2, service, input, lateOutput, null);
            await().atMost(30, TimeUnit.SECONDS).until(() -> count(reader, AttemptSucceeded.class) == 2);
            send(new CommitResults(b.id(), late, 2));
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed(reader).size() == 1);
            String etag = JobFixture.container().getBlobClient(lateName).getProperties().getETag();
            send(new CommitResults(a.id(), late, 1));
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed(reader).size() == 2);
            BlobProperties after = JobFixture.container().getBlobClient(lateName).getProperties();
            assertThat(after.getETag()).isEqualTo(etag);
            assertThat(after.getMetadata()).containsEntry(StagedBlob.ATTEMPT_METADATA, late + "-2");
            assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(a);
        deprovision(b);
    }

    /** The same for a local file: the file under the output name stays attempt 1's (same inode, same mtime). */
    @Test
    void aSecondAttemptOfAJobNeverCommitsItsLocalFileAgain() throws Exception {
        String service = LocalFileJobTest.service();
        String dir = "once-" + Ids.newId();
        AdultCensusData.writeCsv(Files.createDirectories(LocalFileJobTest.home().resolve(dir)).resolve("input.csv"), 300);
        String output = dir + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            LocalFileJobTest.assign(vm, job, 1, service, LocalFileJobTest.local(dir + "/input.csv"),
                    LocalFileJobTest.local(output));
            LocalFileJobTest.assign(vm, job, 2, service, LocalFileJobTest.local(dir + "/input.csv"),
                    LocalFileJobTest.local(output));
            await().atMost(30, TimeUnit.SECONDS).until(() -> count(reader, AttemptSucceeded.class) == 2);
            send(new CommitResults(vm.id(), job, 1));
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed(reader).size() == 1);
            Path file = LocalFileJobTest.home().resolve(output);
            BasicFileAttributes first = Files.readAttributes(file, BasicFileAttributes.class);

            send(new CommitResults(vm.id(), job, 2));
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed(reader).size() == 2);
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
            assertThat(after.fileKey()).as("attempt 2 moved nothing onto the output").isEqualTo(first.fileKey());
            assertThat(after.lastModifiedTime()).isEqualTo(first.lastModifiedTime());
            await().atMost(10, TimeUnit.SECONDS).until(() -> LocalFileJobTest.staged(job + "-2").isEmpty());
            assertThat(LocalFileJobTest.filesIn(LocalFileJobTest.home().resolve(dir)))
                    .containsExactly("input.csv", "scored.csv");
            assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
            ScoredCsv.check(Files.readString(file), 300);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        deprovision(vm);
    }

    /**
     * An attempt that ended here without a commit (revoked, or its VM stopped) answers a CommitResults that comes
     * after all with AttemptFailed: the dispatcher, awaiting the outcome of an attempt told to commit whose VM was
     * declared lost, then retries the job at once instead of after its commit wait.
     */
    @Test
    void aCommitForAnAttemptThatEndedUncommittedIsRefusedOutLoud() throws Exception {
        String service = LocalFileJobTest.service();
        String input = CONTAINER + "/" + Ids.newId() + "/input.csv";
        upload(input, AdultCensusData.csv(100));
        String output = CONTAINER + "/" + Ids.newId() + "/scored.csv";
        Vm vm = provision();
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            JobFixture.assign(vm, job, 1, service, input, output, null);
            reader.awaitReport(AttemptSucceeded.class);
            send(new RevokeJob(vm.id(), job, 1, "the test revokes it"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            send(new CommitResults(vm.id(), job, 1));
            AttemptFailed refused = reader.awaitReport(AttemptFailed.class);
            assertThat(refused.attempt()).isEqualTo(1);
            assertThat(refused.retryable()).isTrue();
            assertThat(refused.details()).contains("was not committed");
            assertThat(reader.seen()).noneMatch(ResultsCommitted.class::isInstance);
            List<Long> sequences = reader.records().stream().map(r -> r.value().sequence()).toList();
            assertThat(sequences).as("the refusal continues the attempt's sequence").isSorted().doesNotHaveDuplicates();
            assertThat(JobFixture.exists(output)).isFalse();
        }
        deprovision(vm);
    }
}
