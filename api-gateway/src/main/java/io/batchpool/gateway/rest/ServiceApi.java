package io.batchpool.gateway.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource of one web service ({@code subscriptionId} and {@code serviceId} path parameters), served to the
 * service's API key or its account's key, with {@code ?api-version=2.0}: {@link AuthFilter} checks both before the
 * body is read and puts the service in {@link CurrentService}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServiceApi {
}
