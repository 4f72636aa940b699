package io.batchpool.billing.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as an {@link ApiError} JSON body; nothing a client sends gives a 500 by design. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return ApiError.response(e.status(), e.code(), e.getMessage());
    }

    /** 404 for unknown paths, 405, 406, 415 and the other errors the REST layer raises itself. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String code = switch (status) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 406 -> "NotAcceptable";
            case 415 -> "UnsupportedMediaType";
            default -> status >= 500 ? "InternalError" : "HttpError";
        };
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "this API answers application/json only";
            default -> e.getMessage() == null ? Response.Status.fromStatusCode(status) + "" : e.getMessage();
        };
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        Response response = ApiError.response(status, code, message);
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(response).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return response;
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected error", e);
        return ApiError.response(500, "InternalError", "internal error");
    }
}
