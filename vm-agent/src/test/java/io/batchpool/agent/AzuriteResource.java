package io.batchpool.agent;

import io.batchpool.blob.SharedAzurite;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Points the agent at the shared Azurite (allowed as an emulator and as {@code UseDevelopmentStorage=true}) and at
 * a fresh model directory for the run.
 */
public class AzuriteResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        Path models;
        try {
            models = Files.createTempDirectory("vm-agent-models");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "batchpool.blob.emulator-endpoints", SharedAzurite.address(),
                "batchpool.blob.development-storage-endpoint", SharedAzurite.endpoint().toString(),
                "batchpool.vm-agent.model-dir", models.toString());
    }

    @Override
    public void stop() {
        // the model directory is in the temp dir; Azurite keeps running for the next run, like the broker
    }
}
