package io.batchpool.gateway.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The swagger.json (Swagger 2.0) of a web service, as Azure ML classic published it for BES: the Batch Requests
 * URL with its job operations, the BatchExecutionRequest / AzureBlobDataReference / BatchScoreStatus schemas
 * (DESIGN §1), the model's input columns ({@code InputRow}) and outputs, and for a "new" service the extension
 * {@code x-batchpool-billing-plan}. Plain maps and lists, so any JSON writer can serialise it.
 */
public final class ServiceSwagger {
    public static final List<String> OUTPUTS = List.of("Scored Labels", "Scored Probabilities");
    public static final String API_VERSION = "2.0";

    private ServiceSwagger() {
    }

    /** What the document describes. {@code publicUrl} is the gateway's public base URL, e.g. {@code https://bp.example}. */
    public record Service(String publicUrl, String subscriptionId, String serviceId, String name, ServiceKind kind,
                         String billingPlanId, int version, List<ModelInput> inputs,
                         List<ServiceParameter> parameters) {
    }

    /** {@code <public-url>/subscriptions/{sid}/services/{id}}, without a trailing slash. */
    public static String serviceUrl(String publicUrl, String subscriptionId, String serviceId) {
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        return base + "/subscriptions/" + subscriptionId + "/services/" + serviceId;
    }

    public static Map<String, Object> describe(Service s) {
        java.net.URI base = java.net.URI.create(s.publicUrl());
        String basePath = base.getPath() == null || base.getPath().isEmpty() ? "/" : base.getPath();
        String jobs = "/subscriptions/" + s.subscriptionId() + "/services/" + s.serviceId() + "/jobs";
        String batchUrl = serviceUrl(s.publicUrl(), s.subscriptionId(), s.serviceId()) + "/jobs?api-version=" + API_VERSION;

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("swagger", "2.0");
        doc.put("info", map("title", s.name(), "version", API_VERSION,
                "description", "Batch Execution Service (Azure ML classic BES, api-version 2.0) of web service "
                        + s.serviceId() + ", model version " + s.version() + ". Submit a job with POST " + batchUrl
                        + " (Authorization: Bearer <API key>); the answer is the job id as a JSON string."));
        doc.put("host", base.getPort() < 0 ? base.getHost() : base.getHost() + ":" + base.getPort());
        doc.put("basePath", basePath);
        doc.put("schemes", List.of(base.getScheme() == null ? "http" : base.getScheme()));
        doc.put("consumes", List.of("application/json"));
        doc.put("produces", List.of("application/json"));
        doc.put("securityDefinitions", map("apiKey", map("type", "apiKey", "name", "Authorization", "in", "header",
                "description", "Bearer <the web service's primary or secondary API key>")));
        doc.put("security", List.of(map("apiKey", List.of())));
        doc.put("x-batchpool-batch-requests-url", batchUrl);
        doc.put("x-batchpool-service", map("serviceId", s.serviceId(), "name", s.name(), "kind", s.kind().wireName(),
                "version", s.version()));
        if (s.kind() == ServiceKind.NEW) {
            doc.put("x-batchpool-billing-plan", s.billingPlanId());
        }
        doc.put("x-batchpool-outputs", OUTPUTS);

        Map<String, Object> apiVersion = map("name", "api-version", "in", "query", "required", true, "type", "string",
                "enum", List.of(API_VERSION));
        Map<String, Object> jobId = map("name", "jobId", "in", "path", "required", true, "type", "string",
                "pattern", "^[0-9a-f]{32}$");
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put(jobs, map(
                "post", operation("SubmitJob", "Submit a job (created, not started); returns the job id",
                        List.of(apiVersion, map("name", "BatchExecutionRequest", "in", "body", "required", true,
                                "schema", ref("BatchExecutionRequest"))),
                        map("200", map("description", "the job id", "schema", map("type", "string")))),
                "get", operation("ListJobs", "List the service's jobs, newest first (Batchpool extension)",
                        List.of(apiVersion), map("200", map("description", "jobs",
                                "schema", map("type", "array", "items", ref("BatchScoreStatus")))))));
        paths.put(jobs + "/{jobId}", map(
                "get", operation("GetJobStatus", "Get the job's status", List.of(apiVersion, jobId),
                        map("200", map("description", "status", "schema", ref("BatchScoreStatus")))),
                "delete", operation("CancelJob", "Cancel the job", List.of(apiVersion, jobId),
                        map("200", map("description", "cancelled")))));
        paths.put(jobs + "/{jobId}/start", map(
                "post", operation("StartJob", "Start (queue) a submitted job", List.of(apiVersion, jobId),
                        map("200", map("description", "started")))));
        doc.put("paths", paths);

        Map<String, Object> definitions = new LinkedHashMap<>();
        definitions.put("AzureBlobDataReference", map("type", "object", "properties", map(
                "ConnectionString", nullableString("Azure storage connection string (regular blob); the container and blob are in RelativeLocation"),
                "RelativeLocation", nullableString("container/blob path, with or without a leading '/'"),
                "BaseLocation", nullableString("blob endpoint ending in '/' (SAS blob)"),
                "SasBlobToken", nullableString("SAS token starting with '?' (SAS blob)"))));
        definitions.put("BatchExecutionRequest", map("type", "object", "properties", map(
                "Inputs", map("type", "object", "description", "input name -> CSV blob with the columns of InputRow",
                        "additionalProperties", ref("AzureBlobDataReference")),
                "Input", withDescription(ref("AzureBlobDataReference"), "a single input (instead of Inputs)"),
                "Outputs", map("type", "object", "description", "output name -> .csv blob to write",
                        "additionalProperties", ref("AzureBlobDataReference")),
                "GlobalParameters", map("type", "object", "description", "web service parameters (see x-batchpool-parameters)",
                        "additionalProperties", map("type", "string")),
                "AzureBatchPoolId", nullableString("run on this pool of the account; absent = the shared classic environment"))));
        definitions.put("BatchScoreStatus", map("type", "object", "properties", map(
                "StatusCode", map("type", "string", "enum", List.of("NotStarted", "Running", "Failed", "Cancelled", "Finished")),
                "Results", map("type", "object", "description", "output name -> where it was written: download "
                        + "BaseLocation + RelativeLocation + SasBlobToken", "additionalProperties", ref("AzureBlobDataReference")),
                "Details", nullableString("why the job failed"))));
        Map<String, Object> columns = new LinkedHashMap<>();
        for (ModelInput input : s.inputs()) {
            columns.put(input.name(), ModelInput.NUMERIC.equals(input.type())
                    ? map("type", "number", "format", "float") : map("type", "string"));
        }
        definitions.put("InputRow", map("type", "object", "description", "one row of an input CSV: a header naming "
                + "these columns (others are passed through to the output)", "properties", columns,
                "required", s.inputs().stream().map(ModelInput::name).toList()));
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("Scored Labels", map("type", "string"));
        output.put("Scored Probabilities", map("type", "number", "format", "float",
                "description", "probability of the positive (second) class"));
        definitions.put("OutputRow", map("type", "object", "description", "one row of an output CSV: the input "
                + "columns followed by these", "properties", output));
        doc.put("definitions", definitions);

        doc.put("x-batchpool-parameters", s.parameters().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            if (p.defaultValue() != null) {
                m.put("default", p.defaultValue());
            }
            m.put("required", p.required());
            return m;
        }).toList());
        return doc;
    }

    private static Map<String, Object> operation(String id, String summary, List<?> parameters,
                                                 Map<String, Object> responses) {
        return map("operationId", id, "summary", summary, "parameters", parameters, "responses", responses);
    }

    private static Map<String, Object> ref(String definition) {
        return map("$ref", "#/definitions/" + definition);
    }

    private static Map<String, Object> withDescription(Map<String, Object> schema, String description) {
        Map<String, Object> m = new LinkedHashMap<>(schema);
        m.put("description", description);
        return m;
    }

    private static Map<String, Object> nullableString(String description) {
        return map("type", "string", "x-nullable", true, "description", description);
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
