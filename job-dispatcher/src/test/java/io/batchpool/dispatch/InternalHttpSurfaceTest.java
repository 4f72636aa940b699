package io.batchpool.dispatch;

import io.batchpool.testkit.HttpSurface;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The internal API answers only the operator key, and every error it gives is the JSON error body
 * ({@link HttpSurface}: every route, wrong methods, unknown paths, long request lines, metrics).
 */
@QuarkusTest
class InternalHttpSurfaceTest {

    @Test
    void everyRouteNeedsTheOperatorKeyAndEveryErrorIsJson() {
        HttpSurface.checkInternal("operator-dev-key", "/pools/00000000000000000000000000c1a551/slots");
    }
}
