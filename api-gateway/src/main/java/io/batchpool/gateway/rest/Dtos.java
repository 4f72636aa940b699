package io.batchpool.gateway.rest;

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
}
