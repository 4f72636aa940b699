package io.batchpool.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Which blob endpoints jobs may use (SSRF allow-list, see blob-storage's EndpointPolicy). */
@ConfigMapping(prefix = "batchpool.blob")
public interface BlobConfig {
    /** Comma-separated host suffixes, e.g. {@code .blob.core.windows.net}. */
    @WithDefault(".blob.core.windows.net")
    String allowedHostSuffixes();

    /** Comma-separated emulator {@code host:port}s (Azurite); empty in production. */
    Optional<String> emulatorEndpoints();

    /** What {@code UseDevelopmentStorage=true} means (accepted only if it is itself allowed). */
    @WithDefault("http://127.0.0.1:10000/devstoreaccount1")
    String developmentStorageEndpoint();
}
