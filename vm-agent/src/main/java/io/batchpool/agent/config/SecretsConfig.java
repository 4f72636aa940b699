package io.batchpool.agent.config;

import io.smallrye.config.ConfigMapping;

/** The key that opens the storage credentials sealed by the gateway. */
@ConfigMapping(prefix = "batchpool.secrets")
public interface SecretsConfig {
    /** Base64 of 32 bytes (AES-256), shared with the gateway. */
    String key();
}
