package io.batchpool.blob;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One blob, as named by an Azure BES {@code AzureBlobDataReference}, validated against an {@link EndpointPolicy}.
 * <p>
 * Build it with {@link #parse(Fields, EndpointPolicy)}; the two accepted forms are
 * <ul>
 *   <li>{@code ConnectionString} + {@code RelativeLocation} ({@code container/path/blob.csv}, leading slash optional).
 *       Connection strings: {@code DefaultEndpointsProtocol=https;AccountName=..;AccountKey=..;EndpointSuffix=..},
 *       the same with {@code BlobEndpoint=..}, {@code SharedAccessSignature=..} instead of the key, and
 *       {@code UseDevelopmentStorage=true} (the policy's development endpoint, Azurite's well-known account);</li>
 *   <li>{@code BaseLocation} + {@code RelativeLocation} + {@code SasBlobToken}: the blob's URL is the concatenation
 *       (a slash is put between the two locations when neither has one) and the token starts with {@code ?}.</li>
 * </ul>
 *
 * @param fields          the fields as the client sent them (normalised: blank fields become null, a SAS token gets its
 *                        leading {@code ?}); used to forward the reference and to echo SAS locations in results
 * @param serviceEndpoint the account's blob service endpoint without trailing slash: {@code https://acct.blob.core.windows.net}
 *                        or, for an emulator, {@code http://127.0.0.1:10000/devstoreaccount1}
 * @param container       container name
 * @param blobName        blob name inside the container (decoded, may contain slashes)
 * @param credential      how to authenticate
 */
public record BlobReference(Fields fields, URI serviceEndpoint, String container, String blobName,
                            BlobCredential credential) {

    public static final String DEVELOPMENT_ACCOUNT = "devstoreaccount1";
    /** Azurite's (and the storage emulator's) published development key; not a secret. */
    static final String DEVELOPMENT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    static final String CONNECTION_STRING = "ConnectionString";
    static final String BASE_LOCATION = "BaseLocation";
    static final String RELATIVE_LOCATION = "RelativeLocation";
    static final String SAS_BLOB_TOKEN = "SasBlobToken";

    private static final Pattern CONTAINER = Pattern.compile("\\$root|\\$logs|\\$web|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern ENDPOINT_SUFFIX = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");
    private static final Set<String> IGNORED_KEYS = Set.of("queueendpoint", "tableendpoint", "fileendpoint",
            "blobsecondaryendpoint", "queuesecondaryendpoint", "tablesecondaryendpoint", "filesecondaryendpoint");
    private static final int MAX_BLOB_NAME = 1024;

    public BlobReference {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(serviceEndpoint, "serviceEndpoint");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(credential, "credential");
    }

    /**
     * The four fields of an AzureBlobDataReference, as on the wire (unused ones null). {@link #toString()} hides the
     * account key and the SAS signature.
     */
    public record Fields(String connectionString, String baseLocation, String relativeLocation, String sasBlobToken) {

        public static Fields ofConnectionString(String connectionString, String relativeLocation) {
            return new Fields(connectionString, null, relativeLocation, null);
        }

        public static Fields ofSas(String baseLocation, String relativeLocation, String sasBlobToken) {
            return new Fields(null, baseLocation, relativeLocation, sasBlobToken);
        }

        /** The same fields with the credential parts (connection string, SAS token) encrypted, for Kafka. */
        public Fields withSecretsEncrypted(SecretCipher cipher) {
            return new Fields(connectionString == null ? null : cipher.encrypt(connectionString), baseLocation,
                    relativeLocation, sasBlobToken == null ? null : cipher.encrypt(sasBlobToken));
        }

        /** Inverse of {@link #withSecretsEncrypted}; throws {@link SecretCipher.DecryptionException} on tampering. */
        public Fields withSecretsDecrypted(SecretCipher cipher) {
            return new Fields(connectionString == null ? null : cipher.decrypt(connectionString), baseLocation,
                    relativeLocation, sasBlobToken == null ? null : cipher.decrypt(sasBlobToken));
        }

        @Override
        public String toString() {
            return "Fields[connectionString=" + redactConnectionString(connectionString) + ", baseLocation="
                    + baseLocation + ", relativeLocation=" + relativeLocation + ", sasBlobToken="
                    + SasTokens.redact(sasBlobToken) + "]";
        }
    }

    /** Parses and validates; see the class comment for the accepted forms. */
    public static BlobReference parse(Fields fields, EndpointPolicy policy) {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(policy, "policy");
        String cs = blankToNull(fields.connectionString());
        String base = blankToNull(fields.baseLocation());
        String rel = blankToNull(fields.relativeLocation());
        String sas = blankToNull(fields.sasBlobToken());
        if (rel == null) {
            throw new InvalidBlobReferenceException(RELATIVE_LOCATION,
                    "is required: the container and blob, e.g. 'mycontainer/input.csv'");
        }
        if (cs != null) {
            if (base != null || sas != null) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "give either ConnectionString, or BaseLocation with SasBlobToken, not both");
            }
            return parseConnectionString(cs, rel, policy);
        }
        if (base == null && sas == null) {
            throw new InvalidBlobReferenceException(CONNECTION_STRING,
                    "a blob reference needs ConnectionString, or BaseLocation with SasBlobToken");
        }
        if (base == null) {
            throw new InvalidBlobReferenceException(BASE_LOCATION,
                    "is required with SasBlobToken: the storage URL, e.g. 'https://myaccount.blob.core.windows.net/'");
        }
        if (sas == null) {
            throw new InvalidBlobReferenceException(SAS_BLOB_TOKEN,
                    "is required with BaseLocation (or give a ConnectionString instead)");
        }
        return parseSas(base, rel, sas, policy);
    }

    /** Shorthand of {@link #parse(Fields, EndpointPolicy)}. */
    public static BlobReference parse(String connectionString, String baseLocation, String relativeLocation,
                                      String sasBlobToken, EndpointPolicy policy) {
        return parse(new Fields(connectionString, baseLocation, relativeLocation, sasBlobToken), policy);
    }

    /** The blob's URL without credentials ({@code <serviceEndpoint>/<container>/<encoded blob name>}). */
    public URI blobUrl() {
        return URI.create(serviceEndpoint + "/" + container + "/" + PathEncoding.encodePath(blobName));
    }

    /** The same blob reference for another blob name in the same container, with the same credential. */
    public BlobReference withBlobName(String otherBlobName) {
        String rel = container + "/" + otherBlobName;
        Fields f = fields.connectionString() != null
                ? new Fields(fields.connectionString(), null, rel, null)
                : new Fields(null, serviceEndpoint + "/", container + "/" + PathEncoding.encodePath(otherBlobName),
                fields.sasBlobToken());
        return new BlobReference(f, serviceEndpoint, container, otherBlobName, credential);
    }

    /**
     * Checks that Batchpool can write this reference as a job output: an attempt stages blocks on the output's own
     * name and the current one commits its block list (Put Block, Put Block List), so a SAS must cover the blob
     * ({@code sr=b}), its container ({@code sr=c}) or the account, and allow write ({@code w}); nothing else is
     * needed (no read, create or delete).
     */
    public BlobReference requireUsableAsOutput() {
        if (credential instanceof BlobCredential.Sas sas) {
            String field = fields.sasBlobToken() != null ? SAS_BLOB_TOKEN : CONNECTION_STRING;
            String sr = sas.parameter("sr");
            if (sr != null && !sr.equals("c") && !sr.equals("b")) {
                throw new InvalidBlobReferenceException(field, "an output needs a SAS for its blob (sr=b), its "
                        + "container (sr=c) or the account, not sr=" + sr);
            }
            String sp = sas.parameter("sp");
            if (sp == null || sp.indexOf('w') < 0) {
                throw new InvalidBlobReferenceException(field, "an output's SAS must allow writing (sp with w: the "
                        + "output is written as blocks and one block list), it has sp=" + sp);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "BlobReference[" + serviceEndpoint + "/" + container + "/" + blobName + ", " + credential + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static BlobReference parseConnectionString(String cs, String rel, EndpointPolicy policy) {
        Map<String, String> kv = new LinkedHashMap<>();
        String[] segments = cs.split(";");
        for (int i = 0; i < segments.length; i++) {
            String seg = segments[i].trim();
            if (seg.isEmpty()) {
                continue;
            }
            int eq = seg.indexOf('=');
            if (eq <= 0) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "part " + (i + 1) + " is not of the form Key=Value (parts are separated by ';')");
            }
            String key = seg.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = seg.substring(eq + 1).trim();
            if (kv.put(key, value) != null) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "key " + shortKey(seg.substring(0, eq)) + " appears more than once");
            }
        }
        for (String key : kv.keySet()) {
            if (!IGNORED_KEYS.contains(key) && !Set.of("defaultendpointsprotocol", "accountname", "accountkey",
                    "endpointsuffix", "blobendpoint", "sharedaccesssignature", "usedevelopmentstorage").contains(key)) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING, "unknown key '" + shortKey(key)
                        + "'; expected DefaultEndpointsProtocol, AccountName, AccountKey, EndpointSuffix, BlobEndpoint,"
                        + " SharedAccessSignature or UseDevelopmentStorage");
            }
        }
        String[] containerAndBlob = splitRelative(rel, false);

        if (kv.containsKey("usedevelopmentstorage")) {
            if (!"true".equalsIgnoreCase(kv.get("usedevelopmentstorage"))) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING, "UseDevelopmentStorage can only be true");
            }
            URI dev = policy.developmentStorage();
            if (dev == null || !policy.allows(dev)) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING, InvalidBlobReferenceException.ENDPOINT_NOT_ALLOWED,
                        "development storage (UseDevelopmentStorage=true) is not enabled on this server");
            }
            return new BlobReference(Fields.ofConnectionString(cs, rel), stripTrailingSlash(dev),
                    containerAndBlob[0], containerAndBlob[1],
                    new BlobCredential.SharedKey(DEVELOPMENT_ACCOUNT, DEVELOPMENT_KEY));
        }

        String accountName = kv.get("accountname");
        String accountKey = kv.get("accountkey");
        String sasToken = kv.get("sharedaccesssignature");
        if (accountKey != null && sasToken != null) {
            throw new InvalidBlobReferenceException(CONNECTION_STRING, "give AccountKey or SharedAccessSignature, not both");
        }
        if (accountKey == null && sasToken == null) {
            throw new InvalidBlobReferenceException(CONNECTION_STRING,
                    "AccountKey is missing (e.g. DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=...)");
        }
        if (accountName != null && !ACCOUNT_NAME.matcher(accountName).matches()) {
            throw new InvalidBlobReferenceException(CONNECTION_STRING,
                    "AccountName must be 3 to 24 lowercase letters and digits");
        }
        if (accountKey != null) {
            if (accountName == null) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING, "AccountName is missing");
            }
            try {
                if (accountKey.isEmpty() || Base64.getDecoder().decode(accountKey).length == 0) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING, "AccountKey is not valid base64");
            }
        }

        URI endpoint;
        String blobEndpoint = kv.get("blobendpoint");
        if (blobEndpoint != null) {
            endpoint = uri(CONNECTION_STRING, "BlobEndpoint", blobEndpoint);
        } else {
            if (accountName == null) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "AccountName (or BlobEndpoint) is missing");
            }
            String protocol = kv.getOrDefault("defaultendpointsprotocol", "https").toLowerCase(Locale.ROOT);
            if (!protocol.equals("https") && !protocol.equals("http")) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "DefaultEndpointsProtocol must be https or http");
            }
            String suffix = kv.getOrDefault("endpointsuffix", "core.windows.net");
            if (!ENDPOINT_SUFFIX.matcher(suffix).matches()) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "EndpointSuffix must be a DNS name such as core.windows.net");
            }
            endpoint = uri(CONNECTION_STRING, "endpoint", protocol + "://" + accountName + ".blob." + suffix);
        }
        String why = policy.rejection(endpoint);
        if (why != null) {
            throw new InvalidBlobReferenceException(CONNECTION_STRING, InvalidBlobReferenceException.ENDPOINT_NOT_ALLOWED,
                    "blob endpoint " + safeUrl(endpoint) + " " + why);
        }
        URI service;
        String endpointAccount;
        String path = endpoint.getPath() == null ? "" : stripSlashes(endpoint.getPath());
        if (policy.isPathStyle(endpoint)) {
            if (path.isEmpty() || path.contains("/")) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "BlobEndpoint of an emulator must be http://host:port/<account>");
            }
            endpointAccount = path;
            service = URI.create(endpoint.getScheme().toLowerCase(Locale.ROOT) + "://" + endpoint.getRawAuthority() + "/" + path);
        } else {
            if (!path.isEmpty()) {
                throw new InvalidBlobReferenceException(CONNECTION_STRING,
                        "BlobEndpoint must not have a path (give the container in RelativeLocation)");
            }
            String host = endpoint.getHost().toLowerCase(Locale.ROOT);
            endpointAccount = host.substring(0, host.indexOf('.'));
            service = URI.create(endpoint.getScheme().toLowerCase(Locale.ROOT) + "://" + host);
        }
        if (accountName != null && !accountName.equals(endpointAccount)) {
            throw new InvalidBlobReferenceException(CONNECTION_STRING,
                    "AccountName '" + accountName + "' does not match the account of BlobEndpoint ('" + endpointAccount + "')");
        }
        BlobCredential credential = accountKey != null
                ? new BlobCredential.SharedKey(endpointAccount, accountKey)
                : new BlobCredential.Sas(checkSasToken(CONNECTION_STRING, sasToken));
        return new BlobReference(Fields.ofConnectionString(cs, rel), service, containerAndBlob[0], containerAndBlob[1],
                credential);
    }

    private static BlobReference parseSas(String base, String rel, String sas, EndpointPolicy policy) {
        String token = checkSasToken(SAS_BLOB_TOKEN, sas);
        URI baseUri = uri(BASE_LOCATION, "BaseLocation", base);
        String why = policy.rejection(baseUri);
        if (why != null) {
            throw new InvalidBlobReferenceException(BASE_LOCATION, InvalidBlobReferenceException.ENDPOINT_NOT_ALLOWED,
                    safeUrl(baseUri) + " " + why);
        }
        if (rel.contains("?") || rel.contains("#")) {
            throw new InvalidBlobReferenceException(RELATIVE_LOCATION,
                    "must not contain '?' or '#' (the SAS token goes in SasBlobToken)");
        }
        String joined = (base.endsWith("/") ? base : base + "/") + (rel.startsWith("/") ? rel.substring(1) : rel);
        URI full = uri(RELATIVE_LOCATION, "BaseLocation + RelativeLocation", joined);
        String path = full.getPath() == null ? "" : full.getPath();
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        URI service;
        if (policy.isPathStyle(baseUri)) {
            int slash = path.indexOf('/');
            if (slash <= 0) {
                throw new InvalidBlobReferenceException(BASE_LOCATION,
                        "an emulator's BaseLocation must be http://host:port/<account>/");
            }
            service = URI.create(baseUri.getScheme().toLowerCase(Locale.ROOT) + "://" + baseUri.getRawAuthority()
                    + "/" + path.substring(0, slash));
            path = path.substring(slash + 1);
        } else {
            service = URI.create(baseUri.getScheme().toLowerCase(Locale.ROOT) + "://" + baseUri.getHost().toLowerCase(Locale.ROOT));
        }
        String[] containerAndBlob = splitRelative(path, true);
        String normalisedBase = base.endsWith("/") ? base : base + "/";
        String normalisedRel = rel.startsWith("/") ? rel.substring(1) : rel;
        return new BlobReference(Fields.ofSas(normalisedBase, normalisedRel, token), service, containerAndBlob[0],
                containerAndBlob[1], new BlobCredential.Sas(token));
    }

    /** [container, blob] from "container/path/blob" (leading slash optional). */
    private static String[] splitRelative(String rel, boolean fromUrl) {
        String r = rel.startsWith("/") ? rel.substring(1) : rel;
        String field = RELATIVE_LOCATION;
        int slash = r.indexOf('/');
        if (slash <= 0 || slash == r.length() - 1) {
            throw new InvalidBlobReferenceException(field,
                    "must be 'container/blob' (e.g. 'mycontainer/input.csv')" + (fromUrl ? " after BaseLocation" : ""));
        }
        String container = r.substring(0, slash);
        String blob = r.substring(slash + 1);
        if (!CONTAINER.matcher(container).matches()) {
            throw new InvalidBlobReferenceException(field, "container name '" + shorten(container)
                    + "' is invalid: 3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit");
        }
        if (blob.length() > MAX_BLOB_NAME) {
            throw new InvalidBlobReferenceException(field, "blob name is longer than " + MAX_BLOB_NAME + " characters");
        }
        if (blob.endsWith("/")) {
            throw new InvalidBlobReferenceException(field, "must name a blob, not a folder (it ends with '/')");
        }
        for (String segment : blob.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..") || segment.isEmpty()) {
                throw new InvalidBlobReferenceException(field,
                        "blob name must not contain empty, '.' or '..' path segments");
            }
        }
        for (int i = 0; i < blob.length(); i++) {
            char c = blob.charAt(i);
            if (Character.isISOControl(c) || c == '\\') {
                throw new InvalidBlobReferenceException(field,
                        "blob name must not contain control characters or backslashes");
            }
        }
        return new String[] {container, blob};
    }

    private static String checkSasToken(String field, String raw) {
        String token = raw.startsWith("?") ? raw : "?" + raw;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == '#' || c >= 127 || (c == '?' && i > 0)) {
                throw new InvalidBlobReferenceException(field,
                        "SAS token must be a URL query string such as '?sv=...&sp=r&sig=...' (no spaces or '#')");
            }
        }
        String sig = SasTokens.parameter(token, "sig");
        if (sig == null || sig.isEmpty()) {
            throw new InvalidBlobReferenceException(field, "SAS token has no signature (sig=...)");
        }
        return token;
    }

    private static URI uri(String field, String what, String value) {
        try {
            URI u = new URI(value);
            if (!u.isAbsolute() || u.isOpaque()) {
                throw new URISyntaxException(value, "not absolute");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new InvalidBlobReferenceException(field, what + " is not a valid absolute URL");
        }
    }

    /** A URL fit for an error message: scheme, host and port only (a path or query could carry anything). */
    private static String safeUrl(URI u) {
        String host = u.getHost() != null ? u.getHost() : "?";
        return (u.getScheme() == null ? "" : u.getScheme() + "://") + shorten(host) + (u.getPort() == -1 ? "" : ":" + u.getPort());
    }

    private static URI stripTrailingSlash(URI u) {
        String s = u.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    private static String stripSlashes(String p) {
        String s = p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static String shortKey(String key) {
        return shorten(key.trim());
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A connection string with AccountKey and SharedAccessSignature values hidden; null stays null. */
    static String redactConnectionString(String cs) {
        if (cs == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String seg : cs.split(";")) {
            if (seg.isBlank()) {
                continue;
            }
            int eq = seg.indexOf('=');
            String key = eq < 0 ? "?" : seg.substring(0, eq).trim();
            if (out.length() > 0) {
                out.append(';');
            }
            if (key.equalsIgnoreCase("AccountName") || key.equalsIgnoreCase("DefaultEndpointsProtocol")
                    || key.equalsIgnoreCase("EndpointSuffix") || key.equalsIgnoreCase("BlobEndpoint")
                    || key.equalsIgnoreCase("UseDevelopmentStorage")) {
                out.append(seg.trim());
            } else {
                out.append(shorten(key)).append("=***");
            }
        }
        return out.toString();
    }
}
