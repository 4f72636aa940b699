package io.batchpool.pool.consumer;

import io.batchpool.pool.config.PoolManagerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ReadGapTest {

    @ParameterizedTest(name = "timeout {0}, tick {1} -> {2}")
    @CsvSource({
            "PT10S, PT0.5S, PT3.333333333S", // production defaults: a third of the timeout
            "PT3S,  PT0.2S, PT1S",           // the e2e settings: the 1 s floor
            "PT10S, PT2S,   PT4S",           // slow ticks: two of them
    })
    void the_longest_gap_counted_as_log_time(Duration timeout, Duration tick, Duration expected) {
        PoolManagerConfig config = new PoolManagerConfig() {
            public Duration heartbeatTimeout() {
                return timeout;
            }

            public Duration provisionTimeout() {
                return Duration.ofMinutes(5);
            }

            public Duration tickInterval() {
                return tick;
            }

            public Optional<String> instanceId() {
                return Optional.empty();
            }
        };
        assertThat(PoolProcessor.readGap(config)).isEqualTo(expected);
    }
}
