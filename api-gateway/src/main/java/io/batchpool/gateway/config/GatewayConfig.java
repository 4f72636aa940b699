package io.batchpool.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Typed configuration of the gateway (prefix {@code batchpool}); see the module README for the table. */
@ConfigMapping(prefix = "batchpool")
public interface GatewayConfig {

    /** Bearer key of the operator API. Change it in every real deployment. */
    @WithDefault("operator-dev-key")
    String operatorKey();

    /** Base URL clients reach the gateway at; account Pool Service URLs are built from it. */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /** Largest request body accepted (bodies of this API are small JSON objects). */
    @WithDefault("1048576")
    long maxRequestBytes();

    Relay relay();

    WebServices webServices();

    Views views();

    Kafka kafka();

    Jobs jobs();

    Classic classic();

    Blob blob();

    Secrets secrets();

    LocalFiles localFiles();

    interface Jobs {
        /** Jobs of an account that may wait (created, queued or assigned, not yet running) before submits get 429. */
        @WithDefault("10000")
        int maxQueuedPerAccount();

        /** Run-time limit of every job: an attempt running longer fails with Details saying so. */
        @WithDefault("PT2H")
        Duration maxRunTime();
    }

    /** The shared classic pool (DESIGN §3), owned by a system account, that runs jobs without AzureBatchPoolId. */
    interface Classic {
        /** Whether this gateway sets up the classic pool at start-up (off in the gateway's own tests). */
        @WithDefault("true")
        boolean enabled();

        /** Its pool id, which is also job-dispatcher's {@code classic-queue-id}: keep both equal. */
        @WithDefault("00000000000000000000000000c1a551")
        String poolId();

        /** VMs of the classic pool (the gateway resizes it to this at start-up). */
        @WithDefault("2")
        int vms();

        @WithDefault("4")
        int slotsPerVm();

        /** The plan the classic pool's VM hours go to (classic jobs are metered in run-seconds too). */
        @WithDefault("classic")
        String billingPlanId();
    }

    /** Blob endpoints jobs may name (allow-list against SSRF); the same settings as vm-agent's. */
    interface Blob {
        /** Comma-separated host suffixes, e.g. {@code .blob.core.windows.net}. */
        @WithDefault(".blob.core.windows.net")
        String allowedHostSuffixes();

        /** Comma-separated emulator {@code host:port}s (Azurite); empty in production. */
        java.util.Optional<String> emulatorEndpoints();

        /** What {@code UseDevelopmentStorage=true} means (accepted only if it is itself allowed). */
        @WithDefault("http://127.0.0.1:10000/devstoreaccount1")
        String developmentStorageEndpoint();
    }

    interface Secrets {
        /** AES-256 key (base64 of 32 bytes) sealing storage credentials in job commands; vm-agent has the same. */
        String key();
    }

    /**
     * Local-file storage, the embedded default (DESIGN §3): job inputs and outputs named {@code UseLocalFiles=true}
     * are files under {@code root}, which vm-agent must see as the same directory. Absent: local files are refused
     * (the production default).
     */
    interface LocalFiles {
        /** The directory holding the files (created if missing); absent or empty disables local files. */
        java.util.Optional<java.nio.file.Path> root();

        /** How long a download link in Results stays good, counted from the status request that made it. */
        @WithDefault("PT24H")
        Duration linkValidity();
    }

    interface Relay {
        /** Longest pause of the outbox relay when no commit wakes it. */
        @WithDefault("200ms")
        Duration interval();

        /** Rows sent per round trip. */
        @WithDefault("500")
        int batchSize();

        /** Readiness is DOWN while the oldest unrelayed outbox row is older than this. */
        @WithDefault("30s")
        Duration maxBacklogAge();
    }

    interface WebServices {
        /**
         * Largest request body of the endpoints that carry a base64 model (register a web service, update its
         * model); the rest of the API keeps {@code max-request-bytes}. Base64 needs 4/3 of the model's size.
         */
        @WithDefault("100663296")
        long maxRequestBytes();

        /** Largest model accepted, in bytes after base64 decoding. */
        @WithDefault("67108864")
        long maxModelBytes();
    }

    interface Views {
        /** Consumer group of the pool view consumer. */
        @WithDefault("api-gateway-views")
        String groupId();

        /**
         * Static group member id (stable per instance, e.g. the pod name; default the host name): a restarted
         * gateway gets its partitions back at once instead of after the dead member's session timeout.
         */
        java.util.Optional<String> instanceId();
    }

    interface Kafka {
        /** Replication factor for topics the gateway creates at start-up if they are missing. */
        @WithDefault("1")
        short replicationFactor();
    }
}
