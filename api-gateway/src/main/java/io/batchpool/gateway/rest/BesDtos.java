package io.batchpool.gateway.rest;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.batchpool.gateway.domain.BesJobRequest;

import java.util.LinkedHashMap;
import java.util.Map;

/** The Azure ML classic BES (api-version 2.0) request shapes, PascalCase as on the wire. */
public final class BesDtos {
    private BesDtos() {
    }

    /** AzureBlobDataReference; unused fields come as null. Property names match in any case, as in Azure's BES. */
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
    public record BlobDataReference(@JsonProperty("ConnectionString") String connectionString,
                                    @JsonProperty("BaseLocation") String baseLocation,
                                    @JsonProperty("RelativeLocation") String relativeLocation,
                                    @JsonProperty("SasBlobToken") String sasBlobToken) {
        BesJobRequest.Reference toReference() {
            return new BesJobRequest.Reference(connectionString, baseLocation, relativeLocation, sasBlobToken);
        }
    }

    /**
     * BatchExecutionRequest: {@code Inputs} or the single {@code Input}, {@code Outputs}, {@code GlobalParameters},
     * {@code AzureBatchPoolId}; property names match in any case ({@code inputs}, {@code globalParameters}), as in
     * Azure's BES.
     */
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
    public record BatchExecutionRequest(@JsonProperty("Inputs") Map<String, BlobDataReference> inputs,
                                        @JsonProperty("Input") BlobDataReference input,
                                        @JsonProperty("Outputs") Map<String, BlobDataReference> outputs,
                                        @JsonProperty("GlobalParameters") Map<String, String> globalParameters,
                                        @JsonProperty("AzureBatchPoolId") String azureBatchPoolId) {
        BesJobRequest.Raw toRaw() {
            return new BesJobRequest.Raw(references(inputs), input == null ? null : input.toReference(),
                    references(outputs), globalParameters, azureBatchPoolId);
        }

        private static Map<String, BesJobRequest.Reference> references(Map<String, BlobDataReference> map) {
            if (map == null) {
                return null;
            }
            Map<String, BesJobRequest.Reference> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, v == null ? null : v.toReference()));
            return out;
        }
    }
}
