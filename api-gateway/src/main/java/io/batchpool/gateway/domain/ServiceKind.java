package io.batchpool.gateway.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * The two kinds of web services of Azure ML classic: a classic service has no billing plan (its jobs run in the
 * shared classic environment or on any pool of the account); a "new" service carries a billing plan, and only its
 * swagger.json URL can create a pool, which then takes that plan.
 */
public enum ServiceKind {
    CLASSIC, NEW;

    /** As clients write it: {@code classic} or {@code new}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code classic} / {@code new}, in any letter case. */
    public static Optional<ServiceKind> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (ServiceKind kind : values()) {
            if (kind.name().equalsIgnoreCase(value)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
