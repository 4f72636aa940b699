package io.batchpool.rest;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Bounds the labels of the HTTP server metrics to what the service defines, whatever a client sends: {@code uri} is a
 * route template or {@link Routes#UNMATCHED}, {@code method} a standard method or {@code OTHER}. Requests the HTTP layer
 * answers before anything of ours runs (its own limits, see {@link HttpGuards}) would otherwise be recorded with the
 * path and the method token the client sent: ids in the metrics, and a new series per request.
 */
@Singleton
public class HttpMetricLabels {
    static final String OTHER_METHOD = "OTHER";
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
    private static volatile Set<String> templates;

    @Produces
    @Singleton
    MeterFilter boundedHttpServerLabels() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("http.server.")) {
                    return id;
                }
                List<Tag> tags = new ArrayList<>();
                boolean changed = false;
                for (Tag tag : id.getTagsAsIterable()) {
                    String value = switch (tag.getKey()) {
                        case "uri" -> uri(tag.getValue());
                        case "method" -> METHODS.contains(tag.getValue()) ? tag.getValue() : OTHER_METHOD;
                        default -> tag.getValue();
                    };
                    changed |= !value.equals(tag.getValue());
                    tags.add(Tag.of(tag.getKey(), value));
                }
                return changed ? id.replaceTags(tags) : id;
            }
        };
    }

    /**
     * A route template (as the REST layer names it, with the regular expressions of its parameters, or without) as
     * {@link RouteTable} shows it; a path to its route's template; anything else {@link Routes#UNMATCHED}.
     */
    static String uri(String value) {
        String template = RouteTable.display(value);
        if (template.equals(Routes.UNMATCHED) || templates().contains(template)) {
            return template;
        }
        return Routes.table().match(value).map(RouteTable.Route::template).orElse(Routes.UNMATCHED);
    }

    private static Set<String> templates() {
        Set<String> t = templates;
        if (t == null) {
            t = Routes.table().routes().stream().map(RouteTable.Route::template).collect(Collectors.toUnmodifiableSet());
            templates = t;
        }
        return t;
    }
}
