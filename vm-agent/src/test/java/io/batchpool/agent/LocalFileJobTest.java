package io.batchpool.agent;

import io.batchpool.agent.JobFixture.JobReader;
import io.batchpool.agent.JobFixture.Vm;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.blob.LocalFileStore;
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

import static io.batchpool.agent.JobFixture.deprovision;
import static io.batchpool.agent.JobFixture.modelDir;
import static io.batchpool.agent.JobFixture.provision;
import static io.batchpool.agent.JobFixture.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs on local files (the embedded default), on the shared broker: the input is streamed from a file under the
 * directory of the job's account, {@code <batchpool.local-files.root>/<accountId>}, each attempt writes a temporary
 * file in the staging directory {@code <root>/.staging} (outside every account's directory), and only the committed
 * attempt's file is moved (atomically) onto the output's name. A location sealed for another account than the job's,
 * or naming a path out of the account's directory, fails the attempt and touches nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AzuriteResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LocalFilesResource.class, restrictToAnnotatedClass = false)
class LocalFileJobTest {
    private static String largeInput;
    /** The account of the jobs here (one per test JVM, like the large input). */
    static final String ACCOUNT = Ids.newId();

    @Inject
    JobRunner runner;

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    static Path root() {
        return Path.of(ConfigProvider.getConfig().getValue("batchpool.local-files.root", String.class));
    }

    /** The account's directory. */
    static Path home() {
        return root().resolve(ACCOUNT);
    }

    static Path staging() {
        return root().resolve(LocalFileStore.STAGING_DIRECTORY);
    }

    /** A local file of {@code account}, sealed as the gateway seals it. */
    static BlobLocation local(String path, String account) {
        return BlobLocation.localFile(path, LocalFileStore.sealAccount(JobFixture.cipher(), account));
    }

    static BlobLocation local(String path) {
        return local(path, ACCOUNT);
    }

    /** The temporary files of one attempt in the staging directory. */
    static List<String> staged(String attemptId) throws Exception {
        return filesIn(staging()).stream().filter(n -> n.endsWith(".attempt-" + attemptId + ".tmp")).toList();
    }

    static void assign(Vm vm, String job, int attempt, String service, BlobLocation in, BlobLocation out) {
        JobFixture.assign(vm, job, attempt, service, ACCOUNT, in, out, null);
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
            AdultCensusData.writeCsv(Files.createDirectories(home().resolve(path).getParent()).resolve("large.csv"),
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
        AdultCensusData.writeCsv(Files.createDirectories(home().resolve(dir)).resolve("input.csv"), rows);
        String output = dir + "/out/scored.csv";
        Vm vm = provision(); // two slots: the job's current attempt and a zombie of it
        String job = Ids.newId();
        try (JobReader reader = new JobReader(job)) {
            assign(vm, job, 1, service, local(dir + "/input.csv"), local(output));
            assign(vm, job, 2, service, local(dir + "/input.csv"), local(output));
            await().atMost(30, TimeUnit.SECONDS).until(() -> count(reader, AttemptSucceeded.class) == 2);
            assertThat(reader.seen()).filteredOn(AttemptSucceeded.class::isInstance)
                    .allSatisfy(r -> assertThat(((AttemptSucceeded) r).rowsScored()).isEqualTo(rows));
            assertThat(filesIn(home().resolve(dir + "/out"))).as("no output yet, nothing next to it").isEmpty();
            assertThat(staged(job + "-1")).as("each attempt its temporary file, in the staging directory").hasSize(1);
            assertThat(staged(job + "-2")).hasSize(1);

            // attempt 1 is the zombie: revoked after it succeeded, its file goes; attempt 2 is committed
            send(new RevokeJob(vm.id(), job, 1, "the test made attempt 2 current"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> staged(job + "-1").isEmpty());
            send(new CommitResults(vm.id(), job, 2));
            ResultsCommitted committed = reader.awaitReport(ResultsCommitted.class);
            assertThat(committed.attempt()).isEqualTo(2);
            assertThat(committed.queueId()).isEqualTo(vm.pool());
            ResultLocation result = committed.results().get("output1");
            assertThat(result).as("a local file, no credential: the gateway signs its download URL")
                    .isEqualTo(new ResultLocation("file:", output, null));
            assertThat(result.pointsToLocalFile()).isTrue();
            assertThat(filesIn(home().resolve(dir + "/out"))).containsExactly("scored.csv");
            assertThat(staged(job + "-2")).isEmpty();
            io.batchpool.scoring.fixtures.ScoredCsv.check(Files.readString(home().resolve(output), StandardCharsets.UTF_8), rows);
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
            assign(vm, job, 1, service, local(input), local(dir + "/scored.csv"));
            AttemptProgressed progressed = reader.awaitReport(AttemptProgressed.class);
            assertThat(progressed.rowsScored()).isPositive().isLessThan(JobFixture.LARGE_ROWS);
            assertThat(staged(job + "-1")).as("writing its temporary file").hasSize(1);
            send(new RevokeJob(vm.id(), job, 1, "cancelled by the test"));

            await().atMost(20, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
            await().atMost(10, TimeUnit.SECONDS).until(() -> staged(job + "-1").isEmpty());
            assertThat(filesIn(home().resolve(dir))).isEmpty();
            reader.drain();
            assertThat(reader.seen()).noneMatch(r -> r instanceof AttemptSucceeded || r instanceof AttemptFailed
                    || r instanceof ResultsCommitted);
        }
        assertThat(Files.size(home().resolve(input))).as("the input is untouched").isPositive();
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
            assign(vm, job, 1, service, local(missing), local(dir + "/scored.csv"));
            AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
            assertThat(failed.retryable()).isFalse();
            assertThat(failed.details()).isEqualTo("input 'input1': local file '" + missing + "' does not exist");
            assertThat(reader.seen()).noneMatch(AttemptSucceeded.class::isInstance);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        assertThat(filesIn(home().resolve(dir))).as("no output").isEmpty();
        assertThat(staged(job + "-1")).as("no temporary file").isEmpty();
        deprovision(vm);
    }

    /**
     * The gateway refuses such references; an agent does not trust the message either: a path out of the account's
     * directory (to outside the root, or to another account's file, also through a link), a location sealed for
     * another account than the job's, and one with no account at all fail the attempt for good and touch nothing.
     */
    @Test
    void anAttemptNeverLeavesItsAccountsDirectory() throws Exception {
        String service = service();
        Path outside = Files.createTempDirectory("vm-agent-outside-root");
        Files.writeString(outside.resolve("secret.csv"), "age\n1\n");
        String other = Ids.newId(); // another account, with a result of its own
        Path theirs = Files.createDirectories(root().resolve(other).resolve("out")).resolve("scored.csv");
        AdultCensusData.writeCsv(theirs, 10);
        byte[] theirBytes = Files.readAllBytes(theirs);
        String link = "link-" + Ids.newId();
        Files.createDirectories(home());
        Files.createSymbolicLink(home().resolve(link), outside);
        String toOther = "to-other-" + Ids.newId();
        Files.createSymbolicLink(home().resolve(toOther), root().resolve(other));
        String input = largeInput();

        record Case(String name, BlobLocation in, BlobLocation out, String says) {
        }
        List<Case> cases = List.of(
                new Case("input out of the root", local("../../" + outside.getFileName() + "/secret.csv"),
                        local("x/out.csv"), "input 'input1': "),
                new Case("input of another account by '..'", local("../" + other + "/out/scored.csv"),
                        local("x/out.csv"), "input 'input1': "),
                new Case("input through a link out of the root", local(link + "/secret.csv"), local("x/out.csv"),
                        "input 'input1': "),
                new Case("input through a link to another account", local(toOther + "/out/scored.csv"),
                        local("x/out.csv"), "input 'input1': "),
                new Case("output over another account's file by '..'", local(input), local("../" + other
                        + "/out/scored.csv"), "output 'output1': "),
                new Case("output through a link to another account", local(input), local(toOther + "/out/scored.csv"),
                        "output 'output1': "),
                new Case("input sealed for another account", local("out/scored.csv", other), local("x/out.csv"),
                        "input 'input1': the local file belongs to another account than the job"),
                new Case("output sealed for another account", local(input), local("out/scored.csv", other),
                        "output 'output1': the local file belongs to another account than the job"),
                new Case("no account sealed", BlobLocation.localFile(input, null), local("x/out.csv"),
                        "input 'input1': the local file names no account"),
                new Case("an account sealed as a credential", BlobLocation.localFile(input,
                        JobFixture.cipher().encrypt(other)), local("x/out.csv"),
                        "input 'input1': the local file's account could not be decrypted"));
        Vm vm = provision();
        for (Case c : cases) {
            String job = Ids.newId();
            try (JobReader reader = new JobReader(job)) {
                assign(vm, job, 1, service, c.in(), c.out());
                AttemptFailed failed = reader.awaitReport(AttemptFailed.class);
                assertThat(failed.details()).as(c.name()).startsWith(c.says())
                        .doesNotContain(outside.toString()).doesNotContain(root().toString());
                if (!c.name().contains("as a credential")) {
                    assertThat(failed.retryable()).as(c.name()).isFalse();
                }
                assertThat(reader.seen()).as(c.name()).noneMatch(AttemptSucceeded.class::isInstance);
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> runner.attempts() == 0);
        assertThat(filesIn(outside)).containsExactly("secret.csv");
        assertThat(filesIn(root().resolve(other))).containsExactly("out");
        assertThat(filesIn(root().resolve(other).resolve("out"))).containsExactly("scored.csv");
        assertThat(Files.readAllBytes(theirs)).as("the other account's result is untouched").isEqualTo(theirBytes);
        assertThat(home().resolve("x")).as("no output written").doesNotExist();
        deprovision(vm);
    }
}
