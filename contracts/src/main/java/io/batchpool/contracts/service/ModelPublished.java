package io.batchpool.contracts.service;

import java.util.Base64;
import java.util.Objects;

/**
 * Version {@code version} of web service {@code serviceId}'s ONNX model (the model contract of DESIGN §3), validated
 * by the gateway at registration. A version never changes once published.
 *
 * @param modelId     {@code serviceId:version}, the record key (compaction keeps one record per version)
 * @param sha256      lowercase hex SHA-256 of the model bytes; an agent checks it before using the model
 * @param modelBase64 the ONNX model, base64 (standard alphabet, padded)
 */
public record ModelPublished(String modelId, String serviceId, String accountId, int version, String sha256,
                             String modelBase64) implements ServiceModelEvent {
    public ModelPublished {
        Objects.requireNonNull(serviceId, "serviceId");
        if (!modelId(serviceId, version).equals(modelId)) {
            throw new IllegalArgumentException("modelId must be serviceId:version, not " + modelId);
        }
    }

    public static ModelPublished of(String serviceId, String accountId, int version, String sha256, byte[] model) {
        return new ModelPublished(modelId(serviceId, version), serviceId, accountId, version, sha256,
                Base64.getEncoder().encodeToString(model));
    }

    public static String modelId(String serviceId, int version) {
        return serviceId + ":" + version;
    }

    /** The model bytes (decoded on each call: callers write them to disk once). */
    public byte[] model() {
        return Base64.getDecoder().decode(modelBase64);
    }
}
