package io.batchpool.gateway.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.batchpool.gateway.domain.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/**
 * Every failure leaves the gateway as {@code {"error":{"code","message"}}}: refusals, body errors, unknown routes,
 * wrong methods and media types. Anything else is a bug and answers 500 InternalError without internals.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response refused(ApiException e) {
        return ErrorBody.response(e.rejection());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return ErrorBody.response(jsonCode(e), jsonMessage(e));
    }

    // the same for the subtypes that Quarkus maps itself (a mapper of the exact type wins over a supertype's)
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response parse(JsonParseException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response coercion(InputCoercionException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException jpe) {
                return json(jpe);
            }
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.InvalidRequest;
            case 401 -> ErrorCode.Unauthorized;
            case 404 -> ErrorCode.NotFound;
            case 405 -> ErrorCode.MethodNotAllowed;
            case 406 -> ErrorCode.NotAcceptable;
            case 415 -> ErrorCode.UnsupportedMediaType;
            case 503 -> ErrorCode.ServiceUnavailable;
            default -> null;
        };
        if (code == null) {
            if (status >= 500) {
                return internal(e);
            }
            return Response.status(status).type("application/json")
                    .entity(new ErrorBody(new ErrorBody.Detail("HttpError" + status, safeMessage(e)))).build();
        }
        return Response.fromResponse(ErrorBody.response(code, safeMessage(e))).status(status).build();
    }

    @ServerExceptionMapper
    public Response internal(Throwable e) {
        LOG.error("request failed", e);
        return ErrorBody.response(ErrorCode.InternalError, "internal error; it has been logged");
    }

    private static String safeMessage(WebApplicationException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? "HTTP " + e.getResponse().getStatus() : message;
    }

    private static ErrorCode jsonCode(JsonProcessingException e) {
        if (e instanceof JsonParseException) {
            return ErrorCode.MalformedJson;
        }
        if (e instanceof JsonMappingException || e instanceof InputCoercionException) {
            return ErrorCode.InvalidRequest;
        }
        // other stream errors: truncated or broken input
        return ErrorCode.MalformedJson;
    }

    private static String jsonMessage(JsonProcessingException e) {
        if (e instanceof InputCoercionException ice) {
            return "number out of range" + where(null) + ": " + ice.getOriginalMessage();
        }
        if (e instanceof MismatchedInputException mie) {
            String field = path(mie);
            Class<?> target = mie.getTargetType();
            if (mie.getCause() instanceof InputCoercionException) {
                return "number out of range" + where(field);
            }
            return (field.isEmpty() ? "body" : "field '" + field + "'") + " must be " + describe(target);
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
