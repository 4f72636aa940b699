package io.batchpool.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every failure of every Batchpool service leaves as {@code {"error":{"code","message"}}}: refusals
 * ({@link ApiException}), body errors, unknown routes (404), wrong methods on existing paths (405 with
 * {@code Allow}), media types (406, 415), sizes (413). Anything else is a bug and answers 500 InternalError
 * without internals.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response refused(ApiException e, HttpServerRequest request) {
        Routes.labelMetricsIfUnmatched(request);
        Response response = ErrorBody.response(e.status(), e.code(), e.getMessage());
        // a body too large is not read to its end: the connection cannot carry another request
        return e.status() == 413 ? Response.fromResponse(response).header("Connection", "close").build() : response;
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        Routes.labelMetricsIfUnmatched(request);
        return ErrorBody.response(e instanceof JsonMappingException || e instanceof InputCoercionException
                ? CommonError.InvalidRequest : CommonError.MalformedJson, jsonMessage(e));
    }

    // the same for the subtypes that Quarkus maps itself (a mapper of the exact type wins over a supertype's)
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response parse(JsonParseException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response coercion(InputCoercionException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException jpe) {
                return json(jpe, request);
            }
        }
        Routes.labelMetricsIfUnmatched(request);
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 404 || status == 405) {
            return routeError(e, request);
        }
        CommonError code = CommonError.forStatus(status);
        if (code == null) {
            return status >= 500 ? internal(e) : ErrorBody.response(status, "HttpError" + status, message(e, status));
        }
        Response response = ErrorBody.response(code, message(e, status));
        return status == 413 ? Response.fromResponse(response).header("Connection", "close").build() : response;
    }

    @ServerExceptionMapper
    public Response internal(Throwable e) {
        LOG.error("request failed", e);
        return ErrorBody.response(CommonError.InternalError, "internal error; it has been logged");
    }

    /** 405 with {@code Allow} when the path is a route of this service, else 404; metrics get the template only. */
    private static Response routeError(WebApplicationException e, HttpServerRequest request) {
        Optional<RouteTable.Route> route = request == null ? Optional.empty() : Routes.table().match(request.path());
        String method = request == null ? null : request.method().name();
        if (route.isPresent() && (e instanceof NotAllowedException || !route.get().methods().contains(method))) {
            String allow = String.join(", ", route.get().methods());
            return Response.fromResponse(ErrorBody.response(CommonError.MethodNotAllowed,
                    method + " is not a method of " + route.get().template() + "; it has " + allow))
                    .header("Allow", allow).build();
        }
        return ErrorBody.response(CommonError.NotFound, "no such resource");
    }

    private static String message(WebApplicationException e, int status) {
        return switch (status) {
            case 406 -> "this API answers application/json only";
            case 415 -> "this route reads application/json bodies only";
            case 413 -> "request body too large";
            default -> {
                String message = e.getMessage();
                yield message == null || message.isBlank() ? "HTTP " + status : message;
            }
        };
    }

    private static String jsonMessage(JsonProcessingException e) {
        if (e instanceof InputCoercionException ice) {
            return "number out of range: " + ice.getOriginalMessage();
        }
        if (e instanceof MismatchedInputException mie) {
            String field = path(mie);
            if (mie.getCause() instanceof InputCoercionException) {
                return "number out of range" + where(field);
            }
            return (field.isEmpty() ? "body" : "field '" + field + "'") + " must be " + describe(mie.getTargetType());
        }
        if (e instanceof JsonMappingException jme && jme.getCause() instanceof InputCoercionException) {
            return "number out of range" + where(path(jme));
        }
        if (e instanceof JsonParseException) {
            return "body is not valid JSON: " + e.getOriginalMessage();
        }
        return "invalid request body: " + e.getOriginalMessage();
    }

    private static String where(String field) {
        return field == null || field.isEmpty() ? "" : " in field '" + field + "'";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "a JSON object";
    }
}
