package io.batchpool.gateway.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The shape checks of a BES {@code BatchExecutionRequest} (api-version 2.0) against the web service it is sent to,
 * before any blob reference is parsed: one input (the {@code Inputs} map or the single {@code Input} object the pool
 * documentation shows), at least one output and only {@code .csv} outputs (training outputs such as
 * {@code .ilearner} are out of scope), global parameters that the service declares, with its defaults filled in
 * and every parameter without default given, and a well-formed {@code AzureBatchPoolId}.
 *
 * @param inputs           input name to reference (exactly one)
 * @param outputs          output name to reference (at least one)
 * @param globalParameters every parameter of the service: the given value, else its default
 * @param poolId           AzureBatchPoolId, or null for a classic job
 */
public record BesJobRequest(Map<String, Reference> inputs, Map<String, Reference> outputs,
                            Map<String, String> globalParameters, String poolId) {

    /** The input name a single {@code Input} object gets (the name Azure ML classic gives a service's input port). */
    public static final String SINGLE_INPUT_NAME = "input1";
    public static final int MAX_OUTPUTS = 16;
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_PARAMETER_VALUE_LENGTH = 4096;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_ .-]{0,126}[A-Za-z0-9_])?");

    /** An AzureBlobDataReference as sent (unused fields null). */
    public record Reference(String connectionString, String baseLocation, String relativeLocation, String sasBlobToken) {
        @Override
        public String toString() {
            return "Reference[relativeLocation=" + relativeLocation + "]"; // never the credentials
        }
    }

    /** The request body's fields as deserialized; any of them may be null. */
    public record Raw(Map<String, Reference> inputs, Reference input, Map<String, Reference> outputs,
                      Map<String, String> globalParameters, String azureBatchPoolId) {
    }

    public BesJobRequest {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(outputs, "outputs");
        Objects.requireNonNull(globalParameters, "globalParameters");
    }

    public static Checked<BesJobRequest> check(Raw raw, List<ServiceParameter> parameters) {
        if (raw == null) {
            return invalid("a JSON BatchExecutionRequest body is required: {\"Inputs\": {...}, \"Outputs\": {...}, "
                    + "\"GlobalParameters\": {...}}");
        }
        Map<String, Reference> inputs;
        if (raw.inputs() != null && raw.input() != null) {
            return invalid("give either Inputs (a map of one input) or Input, not both");
        } else if (raw.input() != null) {
            inputs = Map.of(SINGLE_INPUT_NAME, raw.input());
        } else if (raw.inputs() == null || raw.inputs().isEmpty()) {
            return invalid("Inputs is required: the blob holding the CSV to score, e.g. "
                    + "{\"Inputs\": {\"input1\": {\"ConnectionString\": \"...\", \"RelativeLocation\": \"container/input.csv\"}}}");
        } else if (raw.inputs().size() > 1) {
            return invalid("this web service has one input, the request names " + raw.inputs().size() + ": "
                    + String.join(", ", raw.inputs().keySet()));
        } else {
            inputs = raw.inputs();
        }
        for (Map.Entry<String, Reference> e : inputs.entrySet()) {
            Rejection r = checkEntry("Inputs", e);
            if (r != null) {
                return Checked.rejected(r);
            }
        }
        if (raw.outputs() == null || raw.outputs().isEmpty()) {
            return invalid("Outputs is required: where to write the scored CSV, e.g. {\"Outputs\": {\"output1\": "
                    + "{\"ConnectionString\": \"...\", \"RelativeLocation\": \"container/output.csv\"}}}");
        }
        if (raw.outputs().size() > MAX_OUTPUTS) {
            return invalid("at most " + MAX_OUTPUTS + " outputs, the request names " + raw.outputs().size());
        }
        for (Map.Entry<String, Reference> e : raw.outputs().entrySet()) {
            Rejection r = checkEntry("Outputs", e);
            if (r != null) {
                return Checked.rejected(r);
            }
            String rel = e.getValue().relativeLocation();
            if (rel != null && !rel.toLowerCase(Locale.ROOT).endsWith(".csv")) {
                return invalid("Outputs." + e.getKey() + ".RelativeLocation must name a .csv blob (the scored "
                        + "dataset); other output kinds, such as .ilearner, are not supported");
            }
        }
        Map<String, String> given = raw.globalParameters() == null ? Map.of() : raw.globalParameters();
        Map<String, String> resolved = new LinkedHashMap<>();
        for (ServiceParameter p : parameters) {
            String value = given.get(p.name());
            if (value == null) {
                value = p.defaultValue();
            }
            if (value == null) {
                return invalid("GlobalParameters." + p.name() + " is required: the web service declares it without "
                        + "a default");
            }
            if (value.length() > MAX_PARAMETER_VALUE_LENGTH) {
                return invalid("GlobalParameters." + p.name() + " is longer than " + MAX_PARAMETER_VALUE_LENGTH
                        + " characters");
            }
            resolved.put(p.name(), value);
        }
        for (String name : given.keySet()) {
            if (!resolved.containsKey(name)) {
                List<String> known = parameters.stream().map(ServiceParameter::name).toList();
                return invalid("GlobalParameters." + name + " is not a parameter of this web service; "
                        + (known.isEmpty() ? "it has none" : "it has " + String.join(", ", known)));
            }
        }
        String poolId = raw.azureBatchPoolId();
        if (poolId != null && poolId.isBlank()) {
            poolId = null; // clients write "" for "no pool" as often as they leave it out
        }
        if (poolId != null && !poolId.matches("[0-9a-f]{32}")) {
            return Checked.rejected(ErrorCode.PoolNotFound, "AzureBatchPoolId: no such pool (pool ids are 32 "
                    + "lowercase hex characters)");
        }
        return Checked.ok(new BesJobRequest(Map.copyOf(inputs), new LinkedHashMap<>(raw.outputs()), resolved, poolId));
    }

    private static Rejection checkEntry(String field, Map.Entry<String, Reference> e) {
        if (e.getKey() == null || !NAME.matcher(e.getKey()).matches()) {
            return new Rejection(ErrorCode.InvalidRequest, field + ": '" + e.getKey() + "' is not a valid name "
                    + "(letters, digits, '_', '-', '.', space; at most " + MAX_NAME_LENGTH + " characters)");
        }
        if (e.getValue() == null) {
            return new Rejection(ErrorCode.InvalidRequest, field + "." + e.getKey() + " must be an "
                    + "AzureBlobDataReference object, not null");
        }
        return null;
    }

    private static Checked<BesJobRequest> invalid(String message) {
        return Checked.rejected(ErrorCode.InvalidRequest, message);
    }
}
