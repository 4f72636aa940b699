package io.batchpool.gateway.domain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A checked web service registration, without its model (the model is checked by loading and scoring it):
 * a name, the kind, the billing plan (required for {@code new}, forbidden for {@code classic}) and the parameters.
 */
public record WebServiceSpec(String name, ServiceKind kind, String billingPlanId, List<ServiceParameter> parameters) {
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_PARAMETERS = 100;
    public static final int MAX_DEFAULT_LENGTH = 4096;
    /** Letters, digits, space, '_', '.', '-'; starts and ends with a letter, digit or '_' (Azure names like "Database query"). */
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_ .-]{0,62}[A-Za-z0-9_])?");

    /** A parameter as the request gives it ({@code null} name = absent). */
    public record RawParameter(String name, String defaultValue) {
    }

    public WebServiceSpec {
        parameters = List.copyOf(parameters);
    }

    /** Checks a registration as received ({@code null} = field absent; a null parameter entry is rejected). */
    public static Checked<WebServiceSpec> check(String name, String kind, String billingPlanId,
                                                List<RawParameter> parameters) {
        if (name == null) {
            return Checked.rejected(ErrorCode.InvalidRequest, "name is required");
        }
        Optional<Rejection> badName = PoolSpec.checkText("name", name, MAX_NAME_LENGTH);
        if (badName.isPresent()) {
            return Checked.rejected(badName.get());
        }
        if (kind == null) {
            return Checked.rejected(ErrorCode.InvalidRequest, "kind is required: \"classic\" or \"new\"");
        }
        Optional<ServiceKind> parsedKind = ServiceKind.parse(kind);
        if (parsedKind.isEmpty()) {
            return Checked.rejected(ErrorCode.InvalidRequest, "kind must be \"classic\" or \"new\"");
        }
        if (parsedKind.get() == ServiceKind.CLASSIC && billingPlanId != null) {
            return Checked.rejected(ErrorCode.InvalidRequest,
                    "a classic web service has no billing plan: leave out billingPlanId, or use kind \"new\"");
        }
        if (parsedKind.get() == ServiceKind.NEW && billingPlanId == null) {
            return Checked.rejected(ErrorCode.InvalidRequest, "a \"new\" web service needs a billingPlanId");
        }
        if (billingPlanId != null && !PoolSpec.isPlanId(billingPlanId)) {
            return Checked.rejected(ErrorCode.InvalidRequest,
                    "billingPlanId must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }
        List<ServiceParameter> checked = new ArrayList<>();
        if (parameters != null) {
            if (parameters.size() > MAX_PARAMETERS) {
                return Checked.rejected(ErrorCode.InvalidRequest, "at most " + MAX_PARAMETERS + " parameters");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < parameters.size(); i++) {
                RawParameter p = parameters.get(i);
                if (p == null) {
                    return Checked.rejected(ErrorCode.InvalidRequest, "parameters[" + i + "] must be an object {name, default?}");
                }
                Optional<Rejection> bad = checkParameter(i, p);
                if (bad.isPresent()) {
                    return Checked.rejected(bad.get());
                }
                if (!seen.add(p.name().toLowerCase(Locale.ROOT))) {
                    return Checked.rejected(ErrorCode.InvalidRequest, "parameters[" + i + "]: the name '" + p.name()
                            + "' is given twice (names are compared ignoring letter case)");
                }
                checked.add(new ServiceParameter(p.name(), p.defaultValue()));
            }
        }
        return Checked.ok(new WebServiceSpec(name, parsedKind.get(), billingPlanId, checked));
    }

    private static Optional<Rejection> checkParameter(int i, RawParameter p) {
        if (p.name() == null) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest, "parameters[" + i + "].name is required"));
        }
        if (!PARAMETER_NAME.matcher(p.name()).matches()) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest, "parameters[" + i + "].name must be 1 to 64 "
                    + "characters of letters, digits, space, '_', '.' or '-', starting and ending with a letter, digit or '_'"));
        }
        String d = p.defaultValue();
        if (d != null && (d.length() > MAX_DEFAULT_LENGTH || d.chars().anyMatch(c -> c < 0x20 && c != '\t'))) {
            return Optional.of(new Rejection(ErrorCode.InvalidRequest, "parameters[" + i + "].default must be at most "
                    + MAX_DEFAULT_LENGTH + " characters without control characters"));
        }
        return Optional.empty();
    }
}
