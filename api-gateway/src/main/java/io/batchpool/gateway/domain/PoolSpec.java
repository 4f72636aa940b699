package io.batchpool.gateway.domain;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated create-pool request. Exactly one of {@code billingPlanId} or {@code serviceUrl} names the plan;
 * a serviceUrl is resolved to its web service's plan by the caller (see {@link ServiceUrl}).
 */
public record PoolSpec(int vmCount, String billingPlanId, ServiceUrl serviceUrl, int slotsPerVm, String name) {
    public static final int MAX_VM_COUNT = AccountLimits.MAX_VMS_PER_POOL_CEILING;
    public static final int MAX_SLOTS_PER_VM = 64;
    public static final int MAX_NAME_LENGTH = 128;
    private static final Pattern PLAN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Checks a create request as received ({@code null} = field absent). */
    public static Checked<PoolSpec> check(Integer vmCount, String billingPlanId, String serviceUrl,
                                          Integer slotsPerVm, String name) {
        Optional<Rejection> count = checkVmCount(vmCount);
        if (count.isPresent()) {
            return Checked.rejected(count.get());
        }
        if ((billingPlanId == null) == (serviceUrl == null)) {
            return Checked.rejected(ErrorCode.InvalidRequest, "give exactly one of billingPlanId or serviceUrl");
        }
        if (billingPlanId != null && !PLAN.matcher(billingPlanId).matches()) {
            return Checked.rejected(ErrorCode.InvalidRequest,
                    "billingPlanId must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }
        ServiceUrl service = null;
        if (serviceUrl != null) {
            Optional<ServiceUrl> parsed = ServiceUrl.parse(serviceUrl);
            if (parsed.isEmpty()) {
                return Checked.rejected(ErrorCode.InvalidServiceUrl, "serviceUrl must be the swagger.json URL of a "
                        + "web service of this Batchpool: .../subscriptions/{subscriptionId}/services/{serviceId}/swagger.json");
            }
            service = parsed.get();
        }
        int slots = slotsPerVm == null ? 1 : slotsPerVm;
        if (slots < 1 || slots > MAX_SLOTS_PER_VM) {
            return Checked.rejected(ErrorCode.InvalidRequest, "slotsPerVm must be an integer from 1 to " + MAX_SLOTS_PER_VM);
        }
        Optional<Rejection> badName = checkText("name", name, MAX_NAME_LENGTH);
        if (badName.isPresent()) {
            return Checked.rejected(badName.get());
        }
        return Checked.ok(new PoolSpec(vmCount, billingPlanId, service, slots, name));
    }

    /** True when {@code billingPlanId} has the shape of a billing plan id. */
    public static boolean isPlanId(String billingPlanId) {
        return billingPlanId != null && PLAN.matcher(billingPlanId).matches();
    }

    /** A VM count as a request gives it: required, 0..{@value #MAX_VM_COUNT} (the account's quota is checked later). */
    public static Optional<Rejection> checkVmCount(Integer vmCount) {
        if (vmCount == null) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest, "vmCount is required"));
        }
        if (vmCount < 0 || vmCount > MAX_VM_COUNT) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest,
                    "vmCount must be an integer from 0 to " + MAX_VM_COUNT));
        }
        return Optional.empty();
    }

    /** An optional display text: at most {@code max} characters, no control characters. */
    public static Optional<Rejection> checkText(String field, String value, int max) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank() || value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest,
                    field + " must be 1 to " + max + " characters without control characters"));
        }
        return Optional.empty();
    }
}
