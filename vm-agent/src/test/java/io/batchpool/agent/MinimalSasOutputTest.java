package io.batchpool.agent;

import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.SecretsStayOutTest.LogCapture;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.blob.BlobReference;
import io.batchpool.blob.SharedAzurite;
import io.batchpool.blob.StagedBlob;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.CommitResults;
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

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.batchpool.agent.JobFixture.CONTAINER;
import static io.batchpool.agent.JobFixture.blobNames;
import static io.batchpool.agent.JobFixture.cipher;
import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;
import static io.batchpool.agent.JobFixture.stagedBlocks;
import static io.batchpool.agent.JobFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SAS outputs with the permissions README asks for and nothing more (a container SAS {@code sp=racwl}: no delete),
 * on the shared broker and a real Azurite, which enforces SAS permissions (BlobStoreAzuriteTest shows it refusing a
 * read and a delete to a write-only SAS). Whatever happens to an attempt, the container holds exactly the blobs a
 * reader expects, and the agent logs no ERROR: a committed attempt leaves its output only, a revoked one nothing, and
 * the blocks of a crashed one are never committed (the next commit of the blob drops them).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
class MinimalSasOutputTest {
    private static final Pattern ERROR_LINE = Pattern.compile("^\\S+ (ERROR|SEVERE|FATAL) ", Pattern.MULTILINE);

    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    static BlobLocation sas(String token, String relative) {
        return new BlobLocation(BlobLocation.Kind.SAS, SharedAzurite.endpoint() + "/", relative, cipher().encrypt(token));
    }

    @Test
    void outputsCommitWithoutDeletePermissionLeavingNoLitterAndNoError() throws Exception {
        String token = "?" + JobFixture.container().generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now().plusHours(1), BlobContainerSasPermission.parse("racwl")));
        assertThat(token).contains("sp=racwl");
        String service = Ids.newId();
        AdultCensusModel.writeTo(modelDir().resolve(service).resolve("1").resolve("model.onnx"));
        String folder = Ids.newId() + "/";
        String input = CONTAINER + "/" + folder + "input.csv";
        upload(input, AdultCensusData.csv(500));
        String large = JobFixture.largeInput();

        LogCapture log = LogCapture.install();
        Vm vm = provision();
        try {
            // 1. a job that succeeds: its output, nothing else
            String job = Ids.newId();
            try (JobReader reader = new JobReader(job)) {
                JobFixture.assign(vm, job, 1, service, sas(token, input), sas(token, CONTAINER + "/" + folder
                        + "scored.csv"), null);
                reader.awaitReport(AttemptSucceeded.class);
                assertThat(blobNames(folder)).as("nothing visible before the commit").containsExactly(folder + "input.csv");
                send(new CommitResults(vm.id(), job, 1));
                reader.awaitReport(ResultsCommitted.class);
                assertThat(reader.seen()).noneMatch(AttemptFailed.class::isInstance);
            }
            assertThat(blobNames(folder)).containsExactly(folder + "input.csv", folder + "scored.csv");
            ScoredCsv.check(JobFixture.container().getBlobClient(folder + "scored.csv").downloadContent()
                    .toString(), 500);

            // 2. an attempt revoked while it writes: nothing at all
            String revoked = Ids.newId();
            String revokedOutput = CONTAINER + "/" + folder + "revoked.csv";
            try (JobReader reader = new JobReader(revoked)) {
                JobFixture.assign(vm, revoked, 1, service, sas(token, large), sas(token, revokedOutput), null);
                reader.awaitReport(AttemptProgressed.class);
                send(new RevokeJob(vm.id(), revoked, 1, "cancelled by the test"));
                await().atMost(20, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            }
            assertThat(blobNames(folder)).containsExactly(folder + "input.csv", folder + "scored.csv");

            // 3. attempt 1 staged blocks and its VM crashed; attempt 2 runs and is committed
            String crashed = Ids.newId();
            String crashedOutput = CONTAINER + "/" + folder + "crashed.csv";
            BlobReference ref = BlobReference.parse(null, SharedAzurite.endpoint() + "/", crashedOutput, token,
                    SharedAzurite.policy());
            StagedBlob half = JobFixture.store().openWrite(ref, crashed + "-1");
            try (OutputStream out = half) {
                out.write("age,Scored Labels\n1,half written by a VM that died\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(stagedBlocks(crashedOutput, crashed + "-1")).isEqualTo(1);
            assertThat(blobNames(folder)).as("the crashed attempt's blocks are invisible")
                    .containsExactly(folder + "input.csv", folder + "scored.csv");
            try (JobReader reader = new JobReader(crashed)) {
                JobFixture.assign(vm, crashed, 2, service, sas(token, input), sas(token, crashedOutput), null);
                reader.awaitReport(AttemptSucceeded.class);
                send(new CommitResults(vm.id(), crashed, 2));
                reader.awaitReport(ResultsCommitted.class);
            }
            assertThat(blobNames(folder)).containsExactly(folder + "crashed.csv", folder + "input.csv",
                    folder + "scored.csv");
            ScoredCsv.check(JobFixture.container().getBlobClient(folder + "crashed.csv").downloadContent()
                    .toString(), 500);
            assertThat(stagedBlocks(crashedOutput, crashed + "-1")).as("dropped by the commit").isZero();
            await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        } finally {
            deprovision(vm);
            log.uninstall();
        }
        List<String> errors = log.text().lines().filter(line -> ERROR_LINE.matcher(line).find()).toList();
        assertThat(errors).as("ERROR lines in the agent's log").isEmpty();
    }
}
