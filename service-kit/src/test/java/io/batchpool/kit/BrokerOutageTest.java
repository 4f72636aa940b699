package io.batchpool.kit;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerOutageTest {
    Instant now = Instant.parse("2026-11-26T10:00:00Z");
    final List<String> lines = new ArrayList<>();
    final BrokerOutage outage = new BrokerOutage(new Lines(), "pool-manager", "127.0.0.1:9092", new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    @Test
    void an_outage_is_told_once_at_warn_and_its_end_with_its_length() {
        TimeoutException commit = new TimeoutException("Timeout expired after 30000ms while awaiting EndTxn(true)");
        outage.unreachable(commit);
        now = now.plusSeconds(31);
        outage.unreachable(commit);
        outage.probeFailed(commit);
        now = now.plusSeconds(59);
        outage.reachable();
        outage.reachable();
        assertThat(lines).containsExactly(
                "WARN pool-manager: the Kafka broker at 127.0.0.1:9092 is unreachable (Timeout expired after 30000ms "
                        + "while awaiting EndTxn(true)); it decides nothing until the broker is back and then resumes "
                        + "by itself from the log. Check that the broker is running.",
                "INFO pool-manager: the Kafka broker at 127.0.0.1:9092 is reachable again, 90 s after it was found unreachable; resuming from the log");
    }

    @Test
    void a_probe_that_times_out_once_on_a_busy_machine_is_no_outage() {
        TimeoutException probe = new TimeoutException("Failed to get offsets by times in 1000ms");
        outage.probeFailed(probe);
        now = now.plusSeconds(1);
        outage.reachable();
        outage.probeFailed(probe);
        now = now.plus(Duration.ofMillis(4900));
        outage.probeFailed(probe);
        assertThat(lines).isEmpty();
        now = now.plusMillis(100);
        outage.probeFailed(probe);
        assertThat(lines).hasSize(1).first().asString().startsWith("WARN pool-manager: the Kafka broker");
    }

    @Test
    void a_probe_asks_the_broker_for_the_end_of_the_owned_partitions_and_says_whether_it_answered() {
        TopicPartition tp = new TopicPartition("t", 0);
        MockConsumer<String, String> up = new MockConsumer<>("earliest");
        up.assign(List.of(tp));
        up.updateEndOffsets(Map.of(tp, 7L));
        boolean[] brokerDown = {true};
        MockConsumer<String, String> consumer = new MockConsumer<>("earliest") {
            @Override
            public Map<TopicPartition, Long> endOffsets(java.util.Collection<TopicPartition> partitions,
                                                        Duration timeout) {
                if (brokerDown[0]) {
                    throw new TimeoutException("Failed to get offsets by times in " + timeout.toMillis() + "ms");
                }
                return super.endOffsets(partitions, timeout);
            }
        };
        consumer.assign(List.of(tp));
        consumer.updateEndOffsets(Map.of(tp, 7L));
        assertThat(outage.probe(up, Duration.ofSeconds(1))).isTrue();
        assertThat(outage.probe(consumer, Duration.ofSeconds(1))).isFalse();
        now = now.plusSeconds(6);
        assertThat(outage.probe(consumer, Duration.ofSeconds(1))).isFalse();
        brokerDown[0] = false;
        now = now.plusSeconds(1);
        assertThat(outage.probe(consumer, Duration.ofSeconds(1))).isTrue();
        assertThat(lines).extracting(l -> l.substring(0, 4)).containsExactly("WARN", "INFO");
        assertThat(lines.get(1)).endsWith("reachable again, 7 s after it was found unreachable; resuming from the log");
    }

    @Test
    void timeouts_anywhere_in_the_cause_chain_mean_unreachable_other_failures_are_bugs() {
        assertThat(BrokerOutage.isUnreachable(new TimeoutException("x"))).isTrue();
        assertThat(BrokerOutage.isUnreachable(new KafkaException("rebalance callback", new TimeoutException("x"))))
                .isTrue();
        assertThat(BrokerOutage.isUnreachable(new IllegalStateException("bug"))).isFalse();
    }

    /** Collects formatted lines, "LEVEL message". */
    final class Lines extends LegacyAbstractLogger {
        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                                   Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
