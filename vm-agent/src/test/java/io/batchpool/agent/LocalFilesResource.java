package io.batchpool.agent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** A fresh local files root ({@code batchpool.local-files.root}) for the test application. */
public class LocalFilesResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        try {
            return Map.of("batchpool.local-files.root", Files.createTempDirectory("vm-agent-local-files").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // in the temp directory
    }
}
