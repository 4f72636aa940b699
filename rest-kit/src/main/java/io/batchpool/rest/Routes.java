package io.batchpool.rest;

import io.quarkus.arc.Arc;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.Path;

import java.util.ArrayList;
import java.util.List;

/** The service's {@link RouteTable}, read once from its REST resource beans. */
public final class Routes {
    /** The key under which Quarkus' HTTP metrics read a request's route template. */
    static final String URL_PATH_TEMPLATE = "UrlPathTemplate";
    /** The metrics label of every request that names no route: bounded, whatever the path. */
    public static final String UNMATCHED = "/{unmatched}";

    private static volatile RouteTable table;

    private Routes() {
    }

    public static RouteTable table() {
        RouteTable t = table;
        if (t == null) {
            List<Class<?>> resources = new ArrayList<>();
            for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
                Class<?> type = bean.getBeanClass();
                if (type.isAnnotationPresent(Path.class) && !resources.contains(type)) {
                    resources.add(type);
                }
            }
            t = RouteTable.of(resources);
            table = t;
        }
        return t;
    }

    /** Labels the request's metrics with {@code template} (a route template or {@link #UNMATCHED}), never its path. */
    static void labelMetrics(HttpServerRequest request, String template) {
        if (request instanceof HttpServerRequestInternal internal && internal.context() != null) {
            internal.context().putLocal(URL_PATH_TEMPLATE, template);
        }
    }

    /**
     * Labels the metrics of a request the REST layer answered before naming its route (404, 405, 406, 415, ...)
     * with its route's template, or {@link #UNMATCHED}: the path itself would put ids into the metrics.
     */
    static void labelMetricsIfUnmatched(HttpServerRequest request) {
        if (request instanceof HttpServerRequestInternal internal && internal.context() != null
                && internal.context().getLocal(URL_PATH_TEMPLATE) == null) {
            internal.context().putLocal(URL_PATH_TEMPLATE,
                    table().match(request.path()).map(RouteTable.Route::template).orElse(UNMATCHED));
        }
    }
}
