package io.batchpool.rest;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routes of a service's REST resources (path templates and their HTTP methods), read from the JAX-RS
 * annotations: tells which methods a path has, so that a wrong method on an existing path is a 405 with
 * {@code Allow} rather than a 404, and gives the template of a path for metrics.
 */
public final class RouteTable {
    private static final Pattern PARAM = Pattern.compile("\\{\\s*(\\w[\\w.-]*)\\s*(?::\\s*((?:[^{}]|\\{[^{}]*})*))?}");

    /** One path template with the methods declared on it. */
    public record Route(String template, Pattern pattern, Set<String> methods) {
    }

    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = routes;
    }

    public static RouteTable of(Collection<Class<?>> resources) {
        Map<String, Set<String>> methods = new LinkedHashMap<>();
        for (Class<?> type : resources) {
            Path base = type.getAnnotation(Path.class);
            if (base == null) {
                continue;
            }
            for (Method method : type.getMethods()) {
                String verb = httpMethod(method);
                if (verb == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                String template = join(base.value(), sub == null ? "" : sub.value());
                methods.computeIfAbsent(template, t -> new TreeSet<>()).add(verb);
            }
        }
        List<Route> routes = new ArrayList<>();
        methods.forEach((template, verbs) -> {
            Set<String> all = new TreeSet<>(verbs);
            if (all.contains("GET")) {
                all.add("HEAD");
            }
            all.add("OPTIONS");
            routes.add(new Route(display(template), regex(template), all));
        });
        return new RouteTable(List.copyOf(routes));
    }

    /** The route whose template matches {@code path} (a trailing slash ignored), if any. */
    public Optional<Route> match(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Route best = null;
        for (Route route : routes) {
            if (route.pattern().matcher(p).matches()
                    && (best == null || literalLength(route) > literalLength(best))) {
                best = route;
            }
        }
        return Optional.ofNullable(best);
    }

    public List<Route> routes() {
        return routes;
    }

    private static int literalLength(Route route) {
        return PARAM.matcher(route.template()).replaceAll("").length();
    }

    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The template as metrics and documents show it: {@code {name}} without its regular expression. */
    static String display(String template) {
        return PARAM.matcher(template).replaceAll("{$1}");
    }

    private static Pattern regex(String template) {
        StringBuilder out = new StringBuilder();
        Matcher m = PARAM.matcher(template);
        int last = 0;
        while (m.find()) {
            out.append(Pattern.quote(template.substring(last, m.start())));
            out.append(m.group(2) == null ? "[^/]+" : "(?:" + m.group(2).trim() + ")");
            last = m.end();
        }
        out.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(out.toString());
    }
}
