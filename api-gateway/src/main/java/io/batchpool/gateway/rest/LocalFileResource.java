package io.batchpool.gateway.rest;

import io.batchpool.gateway.service.LocalFiles;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.nio.channels.Channels;

/**
 * Serves local files (the embedded default's storage) at the signed URLs the BES Results of a job name:
 * {@code GET /files/<path>?expires=<epoch seconds>&sig=<HMAC>}, with no other credential, like a read-only blob SAS.
 * The file is streamed, never loaded whole.
 */
@Path("/files")
@Tag(name = "BES jobs")
public class LocalFileResource {
    private final LocalFiles files;

    @Inject
    public LocalFileResource(LocalFiles files) {
        this.files = files;
    }

    @GET
    @Path("/{path: .+}")
    @Operation(summary = "Download a job output stored as a local file, by the signed URL its job's Results give "
            + "(BaseLocation + RelativeLocation + SasBlobToken)")
    public Response download(@PathParam("path") String path, @QueryParam("expires") String expires,
                             @QueryParam("sig") String sig) {
        LocalFiles.Download file = files.open(path, expires, sig);
        StreamingOutput body = out -> {
            try (InputStream in = Channels.newInputStream(file.channel())) {
                in.transferTo(out);
            }
        };
        return Response.ok(body, file.contentType())
                .header(HttpHeaders.CONTENT_LENGTH, file.size())
                .header("Cache-Control", "private, no-store")
                .build();
    }
}
