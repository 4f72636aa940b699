package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.scoring.fixtures.AdultCensusData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Local files (the embedded default) across two accounts, through the packaged services: every account's files are
 * under {@code <root>/<accountId>/}, and account A's service key can neither read B's files, nor overwrite them, nor
 * download them with a signed link made for A; each account's own files work. References that would leave the
 * account's directory are 400 with the JSON error at submit and create no job.
 */
class LocalFilesE2ETest {
    static BatchpoolSystem system;
    static Accounts.Account a;
    static Accounts.Account b;
    static Bes.Service serviceA;
    static Bes.Service serviceB;

    @BeforeAll
    static void start() {
        system = BatchpoolSystem.get();
        a = Accounts.create(system, 1, 1);
        b = Accounts.create(system, 1, 1);
        serviceA = Bes.register(a, "classic");
        serviceB = Bes.register(b, "classic");
    }

    static Map<String, Object> local(String path) {
        Map<String, Object> ref = new HashMap<>();
        ref.put("ConnectionString", "UseLocalFiles=true");
        ref.put("RelativeLocation", path);
        ref.put("BaseLocation", null);
        ref.put("SasBlobToken", null);
        return ref;
    }

    static Map<String, Object> request(String input, String output) {
        Map<String, Object> body = new HashMap<>();
        body.put("Inputs", Map.of("input1", local(input)));
        body.put("Outputs", Map.of("output1", local(output)));
        body.put("GlobalParameters", Map.of());
        return body;
    }

    static JsonNode run(Bes.Service s, String input, String output) throws Exception {
        String job = Bes.submit(s, request(input, output));
        Bes.start(s, job);
        return Bes.awaitEnd(s, job, Duration.ofSeconds(120));
    }

    static Path home(Accounts.Account account) {
        return system.localFiles().resolve(account.id());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return Http.CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), // HTTP/1.1: see Bes.download
                HttpResponse.BodyHandlers.ofString());
    }

    static String link(JsonNode result) {
        return result.path("BaseLocation").asText() + result.path("RelativeLocation").asText()
                + result.path("SasBlobToken").asText();
    }

    static int jobCount(Bes.Service s) {
        Http.Response r = Http.get(s.url(""), s.apiKey());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body().path("value").size();
    }

    @Test
    void anAccountReachesItsOwnLocalFilesOnlyReadingWritingOrDownloading() throws Exception {
        // B's result, as B makes it
        AdultCensusData.writeCsv(Files.createDirectories(home(b).resolve("in")).resolve("adult.csv"), 80);
        JsonNode endB = run(serviceB, "in/adult.csv", "results-b/scored.csv");
        assertThat(endB.path("StatusCode").asText()).as(endB.toString()).isEqualTo("Finished");
        JsonNode resultB = endB.path("Results").path("output1");
        assertThat(resultB.path("RelativeLocation").asText()).isEqualTo(b.id() + "/results-b/scored.csv");
        String linkB = link(resultB);
        Bes.checkScored(Bes.download(resultB), 80);
        Path theirs = home(b).resolve("results-b/scored.csv");
        byte[] theirBytes = Files.readAllBytes(theirs);

        // A's own job on its own files works
        AdultCensusData.writeCsv(Files.createDirectories(home(a).resolve("in")).resolve("adult.csv"), 30);
        JsonNode endA = run(serviceA, "in/adult.csv", "/results-a/scored.csv");
        assertThat(endA.path("StatusCode").asText()).as(endA.toString()).isEqualTo("Finished");
        JsonNode resultA = endA.path("Results").path("output1");
        Bes.checkScored(Bes.download(resultA), 30);

        // read: B's folder named by A is A's own folder (nothing there), never B's file
        JsonNode read = run(serviceA, "results-b/scored.csv", "stolen/scored.csv");
        assertThat(read.path("StatusCode").asText()).as(read.toString()).isEqualTo("Failed");
        assertThat(read.path("Details").asText()).contains("'results-b/scored.csv' does not exist")
                .doesNotContain(b.id()).doesNotContain(system.localFiles().toString());
        assertThat(home(a).resolve("stolen")).doesNotExist();

        // write: the same name as B's output lands in A's directory; B's file and B's link are untouched
        JsonNode write = run(serviceA, "in/adult.csv", "results-b/scored.csv");
        assertThat(write.path("StatusCode").asText()).as(write.toString()).isEqualTo("Finished");
        Bes.checkScored(Bes.download(write.path("Results").path("output1")), 30);
        assertThat(Files.readAllBytes(theirs)).as("B's result").isEqualTo(theirBytes);
        Bes.checkScored(get(linkB).body(), 80);

        // references that leave A's directory: 400 with the JSON error, no job
        int jobsBefore = jobCount(serviceA);
        List<String> paths = new ArrayList<>(List.of("../" + b.id() + "/results-b/scored.csv",
                "in/../../" + b.id() + "/results-b/scored.csv", "//" + theirs, "..\\" + b.id() + "\\results-b\\scored.csv",
                "%2e%2e/" + b.id() + "/results-b/scored.csv", "..%2F" + b.id() + "/results-b/scored.csv"));
        assertSoftly(soft -> {
            for (String bad : paths) {
                for (Map<String, Object> body : List.of(request(bad, "out/x.csv"), request("in/adult.csv", bad))) {
                    Http.Response r = Http.post(serviceA.url(""), serviceA.apiKey(), body);
                    soft.assertThat(r.status()).as(bad + ": " + r.raw()).isEqualTo(400);
                    soft.assertThat(r.body().path("error").path("code").asText()).as(bad)
                            .isEqualTo("InvalidBlobReference");
                    soft.assertThat(r.body().path("error").path("message").asText()).as(bad).contains("RelativeLocation")
                            .doesNotContain(system.localFiles().toString());
                }
            }
        });
        assertThat(jobCount(serviceA)).as("no job created").isEqualTo(jobsBefore);
        assertThat(Files.readAllBytes(theirs)).as("B's result").isEqualTo(theirBytes);

        // signed links: A's link serves A's file only; re-pointed at B's account or path it is refused
        String linkA = link(resultA);
        assertThat(get(linkA).statusCode()).isEqualTo(200);
        String reusedForB = linkA.replace("/files/" + a.id() + "/results-a/", "/files/" + b.id() + "/results-b/");
        assertThat(reusedForB).isNotEqualTo(linkA);
        for (String reused : List.of(reusedForB, linkA.replace("/files/" + a.id() + "/", "/files/" + b.id() + "/"),
                linkA.replace("/files/" + a.id() + "/results-a/scored.csv", "/files/" + a.id() + "/../" + b.id()
                        + "/results-b/scored.csv"))) {
            HttpResponse<String> r = get(reused);
            assertThat(r.statusCode()).as(reused.replaceAll("sig=.*", "sig=...") + ": " + r.body()).isIn(403, 404);
            assertThat(r.body()).doesNotContain("Scored Labels").contains("\"error\"");
        }
        assertThat(get(linkB).statusCode()).as("B's own link still works").isEqualTo(200);
    }
}
