package io.batchpool.gateway.service;

import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.ModelInput;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.scoring.ColumnKind;
import io.batchpool.scoring.InputColumn;
import io.batchpool.scoring.OnnxModel;
import io.batchpool.scoring.ScoringException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a model given as base64 the way registration must (DESIGN §3): decodes it, loads it (the model contract)
 * and scores a sample of rows of its own schema, whose class probabilities must be distributions
 * ({@code OnnxModel.validate}). Runs outside any transaction: loading takes a while.
 */
public final class ModelCheck {

    private ModelCheck() {
    }

    /** A model that passed: its bytes, their SHA-256 (hex) and its input columns in the model's order. */
    public record CheckedModel(byte[] bytes, String sha256, List<ModelInput> inputs) {
    }

    public static CheckedModel check(String base64, long maxModelBytes) {
        if (base64 == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "model is required: the ONNX model as a base64 string");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.InvalidModel, "model is not valid base64: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new ApiException(ErrorCode.InvalidModel, "model is empty");
        }
        if (bytes.length > maxModelBytes) {
            throw new ApiException(ErrorCode.RequestTooLarge, "the model has " + bytes.length
                    + " bytes; at most " + maxModelBytes + " are accepted");
        }
        List<ModelInput> inputs = new ArrayList<>();
        try (OnnxModel model = OnnxModel.load(bytes)) {
            model.validate();
            for (InputColumn column : model.schema().inputs()) {
                inputs.add(new ModelInput(column.name(), column.kind() == ColumnKind.NUMERIC
                        ? ModelInput.NUMERIC : ModelInput.CATEGORICAL));
            }
        } catch (ScoringException e) {
            throw new ApiException(ErrorCode.InvalidModel, e.getMessage());
        } catch (RuntimeException e) {
            // the scoring library reports contract breaches as ScoringException; anything else is still the model's
            throw new ApiException(ErrorCode.InvalidModel, "the model could not be read: " + e);
        }
        return new CheckedModel(bytes, sha256(bytes), List.copyOf(inputs));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
