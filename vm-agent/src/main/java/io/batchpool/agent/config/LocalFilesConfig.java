package io.batchpool.agent.config;

import io.smallrye.config.ConfigMapping;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Local-file storage, the embedded default (DESIGN §3): the directory that job locations of kind LOCAL_FILE are
 * under, the same directory as api-gateway's {@code batchpool.local-files.root}.
 */
@ConfigMapping(prefix = "batchpool.local-files")
public interface LocalFilesConfig {
    /** The directory (created if missing); absent or empty: attempts using local files fail (production default). */
    Optional<Path> root();
}
