package io.batchpool.gateway.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The swagger.json URL of a Batchpool web service, {@code <base>/subscriptions/{sid}/services/{serviceId}/swagger.json}
 * (also {@code /workspaces/{sid}/...}). It is only parsed, never fetched: fetching a client-given URL would let
 * clients make the gateway call arbitrary hosts.
 */
public record ServiceUrl(String subscriptionId, String serviceId) {
    private static final Pattern PATH = Pattern.compile(
            ".*/(?:subscriptions|workspaces)/([0-9a-f]{32})/services/([0-9a-f]{32})/swagger\\.json");

    public static Optional<ServiceUrl> parse(String url) {
        if (url == null || url.length() > 2048) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null || uri.getPath() == null) {
                return Optional.empty();
            }
            Matcher m = PATH.matcher(uri.getPath());
            if (!m.matches()) {
                return Optional.empty();
            }
            return Optional.of(new ServiceUrl(m.group(1), m.group(2)));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
