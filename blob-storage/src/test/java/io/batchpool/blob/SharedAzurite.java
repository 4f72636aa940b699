package io.batchpool.blob;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Azurite blob service a test run shares, chosen once per JVM: {@code AZURITE_BLOB_ENDPOINT} (env or system
 * property, e.g. {@code http://127.0.0.1:10100/devstoreaccount1}, set by {@code bin/test}), else the project's
 * {@code bin/azurite start} (port {@code BATCHPOOL_AZURITE_PORT}, default 10000), which is left running for the
 * next run, like the shared Kafka broker. Shared through this module's test-jar (test-kit cannot hold it:
 * it needs blob-storage, whose tests need test-kit).
 */
public final class SharedAzurite {
    public static final String ENV = "AZURITE_BLOB_ENDPOINT";
    private static URI endpoint;

    private SharedAzurite() {
    }

    /** The development account's blob endpoint, {@code http://127.0.0.1:<port>/devstoreaccount1}. */
    public static synchronized URI endpoint() {
        if (endpoint == null) {
            String given = System.getProperty(ENV, System.getenv(ENV));
            endpoint = URI.create(given != null && !given.isBlank() ? given.trim() : start());
        }
        return endpoint;
    }

    /** {@code host:port} of the endpoint, for {@link EndpointPolicy.Builder#allowEmulator}. */
    public static String address() {
        return endpoint().getHost() + ":" + endpoint().getPort();
    }

    /** Azure's public suffix plus this Azurite, which also serves {@code UseDevelopmentStorage=true}. */
    public static EndpointPolicy policy() {
        return EndpointPolicy.builder()
                .allowHostSuffix(EndpointPolicy.AZURE_PUBLIC_SUFFIX)
                .allowEmulator(address())
                .developmentStorage(endpoint())
                .build();
    }

    /** {@code UseDevelopmentStorage=true}: the development account at the policy's development endpoint. */
    public static String developmentStorageConnectionString() {
        return "UseDevelopmentStorage=true";
    }

    /** An explicit connection string for the development account of this Azurite. */
    public static String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + BlobReference.DEVELOPMENT_ACCOUNT + ";AccountKey="
                + BlobReference.DEVELOPMENT_KEY + ";BlobEndpoint=" + endpoint() + ";";
    }

    private static String start() {
        Path root = projectRoot();
        Path script = root.resolve("bin/azurite");
        try {
            run(root, script, "start", true);
            return run(root, script, "endpoint", false).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String run(Path root, Path script, String command, boolean inherit) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command).directory(root.toFile());
        if (inherit) {
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = inherit ? "" : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("bin/azurite " + command + " failed");
        }
        return out;
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("mvnw")) && Files.exists(dir.resolve("bin/azurite"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no project root (with mvnw and bin/azurite) above " + Path.of("").toAbsolutePath());
    }
}
