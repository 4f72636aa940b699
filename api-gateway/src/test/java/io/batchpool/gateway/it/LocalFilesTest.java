package io.batchpool.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.gateway.domain.FileLinkSigner;
import io.batchpool.gateway.it.JobApiTest.Service;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.outboxSequence;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;
import static org.awaitility.Awaitility.await;

/**
 * Local-file storage, the embedded default: {@code UseLocalFiles=true} references are checked to stay under the
 * directory of the submitting account, {@code <batchpool.local-files.root>/<accountId>}, and reach Kafka as LOCAL_FILE
 * locations carrying the sealed account; a finished job's local output is served at the signed URL its Results give,
 * to a plain GET with no other credential, and that link serves no other file, of its account or another's.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalFilesRootResource.class, restrictToAnnotatedClass = false)
class LocalFilesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgroalDataSource db;

    @TestHTTPResource("/")
    URL testUrl;

    static Path root() {
        return Path.of(ConfigProvider.getConfig().getValue("batchpool.local-files.root", String.class));
    }

    static Map<String, Object> local(String relative) {
        Map<String, Object> m = new HashMap<>();
        m.put("ConnectionString", "UseLocalFiles=true");
        m.put("RelativeLocation", relative);
        m.put("BaseLocation", null);
        m.put("SasBlobToken", null);
        return m;
    }

    static Map<String, Object> localRequest(Map<String, Object> input, Map<String, Object> output) {
        Map<String, Object> body = new HashMap<>();
        body.put("Inputs", Map.of("input1", input));
        body.put("Outputs", Map.of("output1", output));
        body.put("GlobalParameters", Map.of());
        return body;
    }

    @Test
    void localReferencesReachKafkaAsLocalFilesWithoutACredential() {
        Service s = JobApiTest.newService(List.of());
        try (TopicReader commands = new TopicReader(Topics.JOB_COMMANDS)) {
            String job = JobApiTest.submit(s, localRequest(local("/census/data.csv"), local("census/out/scored.csv")));
            List<ConsumerRecord<String, byte[]>> records = commands.read(JobApiTest.CLASSIC::equals, 1,
                    Duration.ofSeconds(20));
            SubmitJob submit = records.stream().map(r -> new EventCodec<>(JobCommand.class).decode(r.value()).data())
                    .filter(c -> c instanceof SubmitJob sj && sj.jobId().equals(job)).map(SubmitJob.class::cast)
                    .findFirst().orElseThrow();
            BlobLocation in = submit.spec().inputs().get("input1");
            BlobLocation out = submit.spec().outputs().get("output1");
            assertThat(in.kind()).isEqualTo(BlobLocation.Kind.LOCAL_FILE);
            assertThat(in.baseLocation()).isEqualTo("file:");
            assertThat(in.relativeLocation()).isEqualTo("census/data.csv");
            assertThat(out.relativeLocation()).isEqualTo("census/out/scored.csv");
            SecretCipher cipher = SecretCipher.fromBase64Key(ConfigProvider.getConfig()
                    .getValue("batchpool.secrets.key", String.class));
            assertThat(List.of(in.sealedCredential(), out.sealedCredential())).as("the submitting account, sealed")
                    .allSatisfy(sealed -> assertThat(LocalFileStore.openAccountSeal(cipher, sealed))
                            .isEqualTo(s.account().id()))
                    .allSatisfy(sealed -> assertThat(sealed).doesNotContain(s.account().id()));
        }
        // the input need not exist at submission (clients may upload before they start the job), and nothing is
        // created under the root by a submit, not even the account's directory
        assertThat(root().resolve(s.account().id())).doesNotExist();
        assertThat(root().resolve("census")).doesNotExist();
    }

    @Test
    void referencesThatLeaveTheRootOrAreMalformedAre400AndWriteNothing() throws Exception {
        Service s = JobApiTest.newService(List.of());
        Service other = JobApiTest.newService(List.of()); // another account, with a result of its own
        Path theirs = Files.createDirectories(root().resolve(other.account().id()).resolve("out")).resolve("scored.csv");
        Files.writeString(theirs, "their rows\n");
        Path outside = Files.createTempDirectory("gateway-outside-root");
        Files.writeString(outside.resolve("secret.csv"), "secret\n");
        Path home = Files.createDirectories(root().resolve(s.account().id()));
        Files.createSymbolicLink(home.resolve("escape-" + s.id()), outside);
        Files.createSymbolicLink(home.resolve("secret-" + s.id() + ".csv"), outside.resolve("secret.csv"));
        Files.createSymbolicLink(home.resolve("theirs-" + s.id()), root().resolve(other.account().id()));
        Files.createDirectories(home.resolve("dir-" + s.id() + "/out.csv"));
        String them = other.account().id();
        Map<String, Object> in = local("census/data.csv");
        Map<String, Object> out = local("census/scored.csv");

        record Case(String name, Map<String, Object> body, String code, String says) {
        }
        List<Case> cases = new ArrayList<>();
        for (String bad : List.of("../secret.csv", "census/../../secret.csv", "./data.csv", "//etc/passwd",
                "a//b.csv", "..\\secret.csv", "C:/Windows/win.ini", "data\u0000.csv", "da\nta.csv",
                "escape-" + s.id() + "/secret.csv", "secret-" + s.id() + ".csv", "dir-" + s.id() + "/out.csv", "/",
                "../" + them + "/out/scored.csv", "/../" + them + "/out/scored.csv", "//" + theirs,
                "%2e%2e/" + them + "/out/scored.csv", "..%2f" + them + "/out/scored.csv",
                "..\\" + them + "\\out\\scored.csv", "theirs-" + s.id() + "/out/scored.csv")) {
            cases.add(new Case("input " + bad.replace("\u0000", "\\0"), localRequest(local(bad), out),
                    "InvalidBlobReference", "Inputs.input1: RelativeLocation"));
        }
        for (String bad : List.of("../out.csv", "escape-" + s.id() + "/new/out.csv", "dir-" + s.id() + "/out.csv",
                "../" + them + "/out/scored.csv", "theirs-" + s.id() + "/out/scored.csv",
                "%2E%2E/" + them + "/out/scored.csv")) {
            cases.add(new Case("output " + bad, localRequest(in, local(bad)), "InvalidBlobReference",
                    "Outputs.output1: RelativeLocation"));
        }
        cases.add(new Case("output not .csv", localRequest(in, local("census/model.ilearner")), "InvalidRequest",
                ".csv"));
        Map<String, Object> falseRef = local("census/data.csv");
        falseRef.put("ConnectionString", "UseLocalFiles=false");
        cases.add(new Case("UseLocalFiles=false", localRequest(falseRef, out), "InvalidBlobReference", "only be true"));
        Map<String, Object> mixed = local("census/data.csv");
        mixed.put("ConnectionString", "UseLocalFiles=true;AccountName=devstoreaccount1");
        cases.add(new Case("other settings", localRequest(mixed, out), "InvalidBlobReference", "no other settings"));
        Map<String, Object> withSas = local("census/data.csv");
        withSas.put("BaseLocation", "https://acct.blob.core.windows.net/");
        withSas.put("SasBlobToken", "?sv=1&sig=x");
        cases.add(new Case("with a SAS", localRequest(withSas, out), "InvalidBlobReference", "not both"));
        cases.add(new Case("no path", localRequest(local(null), out), "InvalidBlobReference", "required"));

        long outbox = outboxSequence(db);
        long jobs = queryLong(db, "select count(*) from job");
        assertSoftly(soft -> {
            for (Case c : cases) {
                Response r = s.as().body(c.body()).post(s.jobs());
                soft.assertThat(r.statusCode()).as(c.name() + ": " + r.asString()).isEqualTo(400);
                soft.assertThat(r.contentType()).as(c.name()).startsWith("application/json");
                JsonNode error = parse(r.asString()).path("error");
                soft.assertThat(error.path("code").asText()).as(c.name() + ": " + r.asString()).isEqualTo(c.code());
                soft.assertThat(error.path("message").asText()).as(c.name()).contains(c.says())
                        .doesNotContain(root().toString()).doesNotContain(outside.toString());
            }
        });
        assertThat(outboxSequence(db)).as("no outbox row written").isEqualTo(outbox);
        assertThat(queryLong(db, "select count(*) from job")).as("no job row written").isEqualTo(jobs);
        assertThat(outside).as("nothing created outside the root").isDirectoryNotContaining(p ->
                !p.getFileName().toString().equals("secret.csv"));
        assertThat(theirs).as("the other account's file untouched").hasContent("their rows");
        assertThat(root().resolve(them)).isDirectoryNotContaining(p -> !p.getFileName().toString().equals("out"));
    }

    @Test
    void aFinishedJobsLocalOutputDownloadsFromItsSignedUrlAndOnlyFromIt() throws Exception {
        Service s = JobApiTest.newService(List.of());
        String dir = "results-" + s.id();
        String path = dir + "/scored out ü.csv";
        String job = JobApiTest.submit(s, localRequest(local("census/data.csv"), local(path)));
        // what the agent leaves behind: the committed file under the root, and ResultsCommitted -> JobFinished
        StringBuilder csv = new StringBuilder("age,Scored Labels,Scored Probabilities\n");
        for (int i = 0; i < 100_000; i++) {
            csv.append(i % 90).append(",>50K,0.").append(i).append('\n');
        }
        byte[] content = csv.toString().getBytes(StandardCharsets.UTF_8);
        String account = s.account().id();
        Path home = root().resolve(account);
        Files.createDirectories(home.resolve(dir));
        Files.write(home.resolve(path), content);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaClients.producer(SharedBroker.bootstrap(), "gateway-local-files-test"))) {
            JobFinished finished = new JobFinished(job, JobApiTest.CLASSIC, 1,
                    Map.of("output1", ResultLocation.localFile(path)), 100_000, Instant.now());
            producer.send(new ProducerRecord<>(Topics.JOB_EVENTS, finished.key(),
                    new EventCodec<>(JobEvent.class).encode(Envelope.of(finished, 6, Instant.now())))).get();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "Finished".equals(s.as().get(s.jobs() + "/" + job)
                .path("StatusCode")));
        Instant polled = Instant.now();
        JsonNode result = parse(s.as().get(s.jobs() + "/" + job).asString()).path("Results").path("output1");
        String publicUrl = ConfigProvider.getConfig().getValue("batchpool.public-url", String.class);
        assertThat(result.path("ConnectionString").isNull()).isTrue();
        assertThat(result.path("BaseLocation").asText()).isEqualTo(publicUrl + "/files/");
        assertThat(result.path("RelativeLocation").asText()).isEqualTo(account + "/" + dir + "/scored%20out%20%C3%BC.csv");
        String token = result.path("SasBlobToken").asText();
        assertThat(token).matches("\\?expires=[0-9]+&sig=[0-9a-f]{64}");
        long expires = Long.parseLong(token.substring("?expires=".length(), token.indexOf('&')));
        assertThat(expires).as("24 h from the status request")
                .isBetween(polled.plus(Duration.ofHours(24)).getEpochSecond() - 5,
                        Instant.now().plus(Duration.ofHours(24)).getEpochSecond() + 5);

        // Base + Relative + Sas, as a client concatenates them; only host and port differ in a test
        String url = result.path("BaseLocation").asText() + result.path("RelativeLocation").asText() + token;
        HttpResponse<byte[]> download = get(url);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(download.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(content.length);
        assertThat(MessageDigest.isEqual(download.body(), content)).as("the file, byte for byte").isTrue();

        String sig = token.substring(token.indexOf("&sig=") + 5);
        String tampered = sig.substring(0, 63) + (sig.charAt(63) == 'a' ? 'b' : 'a');
        assertError(get(url.replace(sig, tampered)), 403, "DownloadLinkInvalid");
        assertError(get(url.replace("?expires=" + expires, "?expires=" + (expires + 60))), 403, "DownloadLinkInvalid");
        assertError(get(url.substring(0, url.indexOf('?'))), 403, "DownloadLinkInvalid");
        Files.writeString(home.resolve(dir + "/other.csv"), "not yours\n");
        assertError(get(url.replace("scored%20out%20%C3%BC.csv", "other.csv")), 403, "DownloadLinkInvalid");
        // the same path in another account's directory: the link is signed for its account too
        String them = JobApiTest.newService(List.of()).account().id();
        Files.createDirectories(root().resolve(them).resolve(dir));
        Files.write(root().resolve(them).resolve(path), "their rows\n".getBytes(StandardCharsets.UTF_8));
        assertError(get(url.replace("/files/" + account + "/", "/files/" + them + "/")), 403, "DownloadLinkInvalid");
        assertError(get(url.replace("/files/" + account + "/", "/files/")), 403, "DownloadLinkInvalid");
        assertError(get(url.replace("/files/" + account + "/", "/files/" + account + "/../" + them + "/")), 403,
                "DownloadLinkInvalid");

        FileLinkSigner signer = FileLinkSigner.fromBase64Key(ConfigProvider.getConfig()
                .getValue("batchpool.secrets.key", String.class));
        String mine = account + "/" + dir;
        assertError(get(publicUrl + "/files/" + mine + "/other.csv"
                + signer.token(mine + "/other.csv", Instant.now().minusSeconds(1))), 403, "DownloadLinkExpired");
        assertError(get(publicUrl + "/files/" + mine + "/gone.csv"
                + signer.token(mine + "/gone.csv", Instant.now().plusSeconds(600))), 404, "FileNotFound");
        assertError(get(publicUrl + "/files/" + mine + signer.token(mine, Instant.now().plusSeconds(600))), 404,
                "FileNotFound");
        assertError(get(publicUrl + "/files/" + account + signer.token(account, Instant.now().plusSeconds(600))), 404,
                "FileNotFound");
        assertThat(get(publicUrl + "/files/" + mine + "/other.csv"
                + signer.token(mine + "/other.csv", Instant.now().plusSeconds(600))).statusCode())
                .as("a link this gateway signed").isEqualTo(200);
        // a link signed before files were per account (a path without an account) is no link any more
        assertError(get(publicUrl + "/files/" + them + "/" + path.replace(" ", "%20").replace("ü", "%C3%BC")
                + oldStyleToken(them + "/" + path)), 403, "DownloadLinkInvalid");
    }

    /** A token as the signer made them before links were per account (purpose label v1). */
    private static String oldStyleToken(String path) throws Exception {
        byte[] secret = java.util.Base64.getDecoder().decode(ConfigProvider.getConfig()
                .getValue("batchpool.secrets.key", String.class));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
        byte[] key = mac.doFinal("batchpool local-file download links v1".getBytes(StandardCharsets.UTF_8));
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        long expires = Instant.now().plusSeconds(600).getEpochSecond();
        return "?expires=" + expires + "&sig=" + java.util.HexFormat.of().formatHex(
                mac.doFinal((path + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        String publicUrl = ConfigProvider.getConfig().getValue("batchpool.public-url", String.class);
        assertThat(url).startsWith(publicUrl + "/");
        String here = testUrl.toString().replaceAll("/$", "") + url.substring(publicUrl.length());
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(here)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String code) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error = parse(body).path("error");
        assertThat(error.path("code").asText()).as(body).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank().doesNotContain(root().toString());
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
