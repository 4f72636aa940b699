package io.batchpool.blob;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which blob endpoints Batchpool may talk to (protection against server-side request forgery: a client must not make
 * the gateway or a VM agent send requests to arbitrary hosts).
 * <ul>
 *   <li>Host suffixes (default {@code .blob.core.windows.net}): {@code http(s)://<account><suffix>} on the scheme's
 *       default port, the account being one DNS label of 3 to 24 lowercase letters and digits. Such endpoints are
 *       host-style: the account is the first label of the host.</li>
 *   <li>Emulator addresses ({@code host:port}, e.g. {@code 127.0.0.1:10000}, optionally with a scheme): exactly that
 *       host and port. Such endpoints are path-style: the account is the first path segment, as with Azurite.</li>
 * </ul>
 * Everything else is rejected: other hosts ({@code 127.0.0.1.evil.com}, {@code acct.blob.core.windows.net.evil.com}),
 * other ports, user info in the URL, schemes other than http and https, IP literals not listed as emulators.
 * <p>
 * The policy also holds the endpoint that {@code UseDevelopmentStorage=true} stands for (default
 * {@link #DEFAULT_DEVELOPMENT_STORAGE}); such references are accepted only while that endpoint is itself allowed.
 */
public final class EndpointPolicy {
    public static final String AZURE_PUBLIC_SUFFIX = ".blob.core.windows.net";
    public static final URI DEFAULT_DEVELOPMENT_STORAGE = URI.create("http://127.0.0.1:10000/devstoreaccount1");

    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern SUFFIX = Pattern.compile("(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    private final List<String> hostSuffixes;
    private final List<Emulator> emulators;
    private final URI developmentStorage;

    private EndpointPolicy(List<String> hostSuffixes, List<Emulator> emulators, URI developmentStorage) {
        this.hostSuffixes = List.copyOf(hostSuffixes);
        this.emulators = List.copyOf(emulators);
        this.developmentStorage = developmentStorage;
    }

    /** Azure's public cloud only: {@code *.blob.core.windows.net}, no emulator, so no development storage. */
    public static EndpointPolicy azurePublic() {
        return builder().allowHostSuffix(AZURE_PUBLIC_SUFFIX).build();
    }

    /**
     * A policy from configuration values: comma-separated host suffixes (blank: none), comma-separated emulator
     * addresses (blank: none), and the development storage endpoint (blank: {@link #DEFAULT_DEVELOPMENT_STORAGE}).
     */
    public static EndpointPolicy fromConfig(String hostSuffixes, String emulatorAddresses, String developmentStorage) {
        Builder b = builder();
        for (String s : split(hostSuffixes)) {
            b.allowHostSuffix(s);
        }
        for (String e : split(emulatorAddresses)) {
            b.allowEmulator(e);
        }
        if (developmentStorage != null && !developmentStorage.isBlank()) {
            b.developmentStorage(URI.create(developmentStorage.trim()));
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint {@code UseDevelopmentStorage=true} stands for (account path included). */
    public URI developmentStorage() {
        return developmentStorage;
    }

    public List<String> hostSuffixes() {
        return hostSuffixes;
    }

    /** The emulator addresses, as {@code host:port} (with {@code scheme://} in front where one was configured). */
    public List<String> emulatorAddresses() {
        return emulators.stream().map(Emulator::toString).toList();
    }

    /** Whether Batchpool may send requests to this URL (any path). */
    public boolean allows(URI url) {
        return rejection(url) == null;
    }

    /**
     * Whether an allowed URL is an emulator's (path-style: the account is the first path segment).
     *
     * @throws IllegalArgumentException if the URL is not allowed
     */
    public boolean isPathStyle(URI url) {
        String why = rejection(url);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        return emulatorFor(url) != null;
    }

    /** Why this URL is not allowed, in words fit for a client, or null when it is allowed. */
    String rejection(URI url) {
        if (url == null || !url.isAbsolute() || url.isOpaque()) {
            return "is not an absolute http(s) URL";
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "uses scheme '" + scheme + "'; only http and https are allowed";
        }
        if (url.getRawUserInfo() != null) {
            return "must not contain user info (user@host)";
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return "has no valid host name";
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            return "must not contain a query or fragment";
        }
        if (emulatorFor(url) != null) {
            return null;
        }
        host = host.toLowerCase(Locale.ROOT);
        for (String suffix : hostSuffixes) {
            if (host.endsWith(suffix) && ACCOUNT.matcher(host.substring(0, host.length() - suffix.length())).matches()) {
                int port = url.getPort();
                int defaultPort = scheme.equals("https") ? 443 : 80;
                if (port != -1 && port != defaultPort) {
                    return "uses port " + port + "; blob endpoints use the scheme's default port";
                }
                return null;
            }
        }
        return "host '" + host + "' is not an allowed blob endpoint (allowed: "
                + (hostSuffixes.isEmpty() ? "configured emulator addresses only"
                : String.join(", ", hostSuffixes.stream().map(s -> "<account>" + s).toList())) + ")";
    }

    private Emulator emulatorFor(URI url) {
        String host = url.getHost();
        if (host == null) {
            return null;
        }
        for (Emulator e : emulators) {
            if (e.host.equalsIgnoreCase(host) && e.port == url.getPort()
                    && (e.scheme == null || e.scheme.equalsIgnoreCase(url.getScheme()))) {
                return e;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "EndpointPolicy[hostSuffixes=" + hostSuffixes + ", emulators=" + emulatorAddresses()
                + ", developmentStorage=" + developmentStorage + "]";
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        if (csv != null) {
            for (String s : csv.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    private record Emulator(String scheme, String host, int port) {
        @Override
        public String toString() {
            String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            return scheme == null ? hostPort : scheme + "://" + hostPort;
        }
    }

    public static final class Builder {
        private final List<String> hostSuffixes = new ArrayList<>();
        private final List<Emulator> emulators = new ArrayList<>();
        private URI developmentStorage = DEFAULT_DEVELOPMENT_STORAGE;

        private Builder() {
        }

        /** Allows {@code <account><suffix>}; the suffix starts with a dot, e.g. {@code .blob.core.windows.net}. */
        public Builder allowHostSuffix(String suffix) {
            String s = Objects.requireNonNull(suffix, "suffix").trim().toLowerCase(Locale.ROOT);
            if (!SUFFIX.matcher(s).matches() || s.chars().filter(c -> c == '.').count() < 2) {
                throw new IllegalArgumentException("host suffix '" + suffix
                        + "' must start with a dot and have at least two labels, e.g. .blob.core.windows.net");
            }
            hostSuffixes.add(s);
            return this;
        }

        /** Allows exactly this emulator address: {@code host:port} or {@code http://host:port}. */
        public Builder allowEmulator(String address) {
            String a = Objects.requireNonNull(address, "address").trim();
            URI u;
            try {
                u = new URI(a.contains("://") ? a : "http://" + a);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("emulator address '" + address + "' is not host:port", e);
            }
            String scheme = a.contains("://") ? u.getScheme().toLowerCase(Locale.ROOT) : null;
            if (u.getHost() == null || u.getPort() < 1 || u.getRawUserInfo() != null
                    || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                    || (scheme != null && !scheme.equals("http") && !scheme.equals("https"))) {
                throw new IllegalArgumentException("emulator address '" + address
                        + "' must be host:port (e.g. 127.0.0.1:10000), optionally with http:// or https://");
            }
            emulators.add(new Emulator(scheme, u.getHost(), u.getPort()));
            return this;
        }

        /** The endpoint {@code UseDevelopmentStorage=true} stands for, e.g. {@code http://127.0.0.1:10000/devstoreaccount1}. */
        public Builder developmentStorage(URI endpoint) {
            this.developmentStorage = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        public EndpointPolicy build() {
            return new EndpointPolicy(hostSuffixes, emulators, developmentStorage);
        }
    }
}
