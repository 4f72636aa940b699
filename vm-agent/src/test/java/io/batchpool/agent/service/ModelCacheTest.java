package io.batchpool.agent.service;

import io.batchpool.scoring.fixtures.AdultCensusModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

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
        assertThatThrownBy(() -> cache.acquire("..", 1)).isInstanceOf(IllegalArgumentException.class);
        cache.close();
    }
}
