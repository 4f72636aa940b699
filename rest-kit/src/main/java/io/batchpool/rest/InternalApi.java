package io.batchpool.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource of an internal service (pool-manager, job-dispatcher, billing-meter, vm-agent): every call needs the
 * operator key ({@link InternalApiFilter}), whatever the body.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface InternalApi {
}
