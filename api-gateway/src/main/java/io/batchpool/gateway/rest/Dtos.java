package io.batchpool.gateway.rest;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Request bodies: boxed types so that an absent field is {@code null} and reported, not defaulted to 0. */
final class Dtos {
    private Dtos() {
    }

    record CreateAccountRequest(String name, Integer maxPools, Integer maxVmsPerPool) {
    }

    record UpdateAccountRequest(Integer maxPools, Integer maxVmsPerPool) {
    }

    record CreatePoolRequest(Integer vmCount, String billingPlanId, String serviceUrl, Integer slotsPerVm,
                             String name) {
    }

    record ResizePoolRequest(Integer vmCount) {
    }

    /** {@code model}: the ONNX file, base64. {@code parameters}: a parameter without default is required. */
    record RegisterServiceRequest(String name, String kind, String billingPlanId, List<ParameterRequest> parameters,
                                  String model) {
    }

    record ParameterRequest(String name, @JsonProperty("default") String defaultValue) {
    }

    record UpdateModelRequest(String model) {
    }
}
