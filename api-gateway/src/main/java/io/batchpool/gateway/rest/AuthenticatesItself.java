package io.batchpool.gateway.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an {@link AccountApi} resource that accepts other keys than the account key (e.g. a web
 * service's API key for its swagger.json) and checks them itself; {@link AuthFilter} leaves it alone.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AuthenticatesItself {
}
