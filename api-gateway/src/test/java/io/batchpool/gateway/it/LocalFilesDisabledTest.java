package io.batchpool.gateway.it;

import io.batchpool.gateway.it.JobApiTest.Service;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without {@code batchpool.local-files.root} (the production default) local files are refused with a message that
 * says so, and the download endpoint serves nothing.
 */
@QuarkusTest
@TestProfile(LocalFilesDisabledTest.NoLocalFiles.class)
class LocalFilesDisabledTest {

    public static class NoLocalFiles implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            // not the global LocalFilesRootResource: this application has no root
            return List.of(new TestResourceEntry(KafkaBrokerResource.class),
                    new TestResourceEntry(PostgresResource.class,
                            Map.of("database", "batchpool_test_api_gateway_no_local_files")));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @Test
    void localReferencesAre400SayingLocalFilesAreNotEnabled() {
        Service s = JobApiTest.newService(List.of());
        Response r = s.as().body(LocalFilesTest.localRequest(LocalFilesTest.local("census/data.csv"),
                LocalFilesTest.local("census/scored.csv"))).post(s.jobs());
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.<String>path("error.code")).isEqualTo("InvalidBlobReference");
        assertThat(r.<String>path("error.message")).startsWith("Inputs.input1: ConnectionString: ")
                .contains("local files (UseLocalFiles=true) are not enabled on this server");
        // blob references work as before
        assertThat(s.as().body(JobApiTest.request(null)).post(s.jobs()).statusCode()).isEqualTo(200);
    }

    @Test
    void theDownloadEndpointServesNothing() {
        Response r = given().get("/files/census/scored.csv?expires=99999999999&sig=" + "0".repeat(64));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.<String>path("error.code")).isEqualTo("NotFound");
        assertThat(r.<String>path("error.message")).contains("not enabled");
    }
}
