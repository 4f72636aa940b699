package io.batchpool.rest;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {

    @Path("/{scope: subscriptions|workspaces}/{subscriptionId}/services/{serviceId}/jobs")
    static class Jobs {
        @POST
        public void submit() {
        }

        @GET
        public void list() {
        }

        @POST
        @Path("/{jobId}/start")
        public void start() {
        }

        @GET
        @Path("/{jobId}")
        public void status() {
        }

        @DELETE
        @Path("{jobId}")
        public void cancel() {
        }
    }

    @Path("/files")
    static class Files {
        @GET
        @Path("/{path: .+}")
        public void download() {
        }
    }

    private final RouteTable table = RouteTable.of(List.of(Jobs.class, Files.class));

    @Test
    void pathsMatchTheirTemplateWithItsMethods() {
        String jobs = "/subscriptions/s/services/x/jobs";
        assertThat(table.match(jobs).orElseThrow().methods()).containsExactly("GET", "HEAD", "OPTIONS", "POST");
        assertThat(table.match(jobs + "/").orElseThrow().template())
                .isEqualTo("/{scope}/{subscriptionId}/services/{serviceId}/jobs");
        assertThat(table.match("/workspaces/s/services/x/jobs/j/start").orElseThrow().methods())
                .containsExactly("OPTIONS", "POST");
        assertThat(table.match("/workspaces/s/services/x/jobs/j").orElseThrow().methods())
                .containsExactly("DELETE", "GET", "HEAD", "OPTIONS");
        assertThat(table.match("/files/a/b/c.csv").orElseThrow().template()).isEqualTo("/files/{path}");
    }

    @Test
    void otherPathsMatchNothing() {
        assertThat(table.match("/tenants/s/services/x/jobs")).isEmpty();
        assertThat(table.match("/subscriptions/s/services/x/jobs/j/start/again")).isEmpty();
        assertThat(table.match("/files")).isEmpty();
        assertThat(table.match("/")).isEmpty();
    }

    @Test
    void errorBodiesAreJsonWhateverTheMessage() {
        assertThat(ErrorBody.json("NotFound", "no \"such\" \\ thing\n"))
                .isEqualTo("{\"error\":{\"code\":\"NotFound\",\"message\":\"no \\\"such\\\" \\\\ thing\\u000a\"}}");
    }
}
