package io.batchpool.agent.service;

import io.batchpool.scoring.fixtures.AdultCensusModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCacheTest {
    @TempDir
    Path dir;

    @Test
    void loadsOnceKeepsAFewAndNamesWhatIsMissing() throws Exception {
        ModelCache cache = new ModelCache(dir, 1);
        AdultCensusModel.writeTo(dir.resolve("svc/1/model.onnx"));
        AdultCensusModel.writeTo(dir.resolve("svc/2/model.onnx"));
        try (ModelCache.Lease a = cache.acquire("svc", 1); ModelCache.Lease b = cache.acquire("svc", 1)) {
            assertThat(a.model()).isSameAs(b.model());
            try (ModelCache.Lease c = cache.acquire("svc", 2)) {
                assertThat(cache.size()).isEqualTo(1);
                // version 1 is evicted but still in use: it keeps working until its leases end
                assertThat(a.model().schema().columnNames()).isNotEmpty();
                assertThat(c.model()).isNotSameAs(a.model());
            }
        }
        assertThatThrownBy(() -> cache.acquire("svc", 3))
                .isInstanceOf(ModelCache.ModelUnavailableException.class)
                .hasMessage("model of web service svc version 3 is not available on this VM");
        assertThatThrownBy(() -> cache.install("../x", 1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.acquire("..", 1)).isInstanceOf(IllegalArgumentException.class);
        cache.close();
    }

    @Test
    void anAttemptWaitsForAModelThatIsInstalledMeanwhile() throws Exception {
        ModelCache cache = new ModelCache(dir, 2, Duration.ofSeconds(30));
        CompletableFuture<ModelCache.Lease> lease = CompletableFuture.supplyAsync(() -> {
            try {
                return cache.acquire("svc", 7);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(lease).as("no model yet").isNotDone();
        assertThat(cache.isPresent("svc", 7)).isFalse();

        cache.install("svc", 7, AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP));
        try (ModelCache.Lease l = lease.get(10, TimeUnit.SECONDS)) {
            assertThat(l.model().schema().columnNames()).contains("age");
        }
        assertThat(cache.isPresent("svc", 7)).isTrue();
        try (var files = Files.list(dir.resolve("svc/7"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .containsExactly("model.onnx");
        }
        cache.close();
    }

    @Test
    void aModelThatDoesNotArriveInTimeNamesServiceVersionAndWait() {
        ModelCache cache = new ModelCache(dir, 2, Duration.ofMillis(300));
        assertThatThrownBy(() -> cache.acquire("svc", 8))
                .isInstanceOf(ModelCache.ModelUnavailableException.class)
                .hasMessage("model of web service svc version 8 is not available on this VM (not received within PT0.3S)");
    }

    @Test
    void aCancelledAttemptStopsWaiting() {
        ModelCache cache = new ModelCache(dir, 2, Duration.ofMinutes(10));
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<ModelCache.Lease> lease = CompletableFuture.supplyAsync(() -> {
            try {
                return cache.acquire("svc", 9, cancelled::get);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        cancelled.set(true);
        assertThatThrownBy(() -> lease.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(ModelCache.ModelUnavailableException.class);
    }

    @Test
    void leftoversOfAnInterruptedWriteAreRemoved() throws Exception {
        ModelCache cache = new ModelCache(dir, 2);
        cache.install("svc", 1, new byte[] {1, 2, 3});
        Path leftover = Files.write(dir.resolve("svc/1/model.onnx.123.tmp"), new byte[] {9});
        assertThat(cache.removeLeftovers()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(Files.readAllBytes(cache.modelFile("svc", 1))).containsExactly(1, 2, 3);
    }
}
