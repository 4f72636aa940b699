package io.batchpool.gateway.config;

import io.batchpool.blob.EndpointPolicy;
import io.batchpool.blob.SecretCipher;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The blob allow-list and the cipher that seals storage credentials, from {@link GatewayConfig}. */
public class BlobPolicyProducer {

    @Produces
    @Singleton
    EndpointPolicy endpointPolicy(GatewayConfig config) {
        GatewayConfig.Blob blob = config.blob();
        return EndpointPolicy.fromConfig(blob.allowedHostSuffixes(), blob.emulatorEndpoints().orElse(""),
                blob.developmentStorageEndpoint());
    }

    @Produces
    @Singleton
    SecretCipher secretCipher(GatewayConfig config) {
        return SecretCipher.fromBase64Key(config.secrets().key());
    }
}
