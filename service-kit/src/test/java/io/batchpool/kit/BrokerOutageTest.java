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
    final BrokerOutage outage = new BrokerOutage(new Lines(), "pool-manager decides nothing", new Clock() {
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
        outage.failed(commit);
        now = now.plusSeconds(31);
        outage.failed(commit);
        outage.probeFailed(commit);
        now = now.plusSeconds(59);
        outage.succeeded();
        outage.succeeded();
        assertThat(lines).containsExactly(
                "WARN the Kafka broker is unreachable (Timeout expired after 30000ms while awaiting EndTxn(true)); "
                        + "meanwhile pool-manager decides nothing. Nothing is lost: this resumes by itself when the "
                        + "broker is back. Check that the broker is running.",
                "INFO the Kafka broker is reachable again, 90 s after it was found unreachable (3 failed attempts "
                        + "meanwhile)");
    }

    @Test
    void a_probe_that_times_out_once_on_a_busy_machine_is_no_outage() {
        TimeoutException probe = new TimeoutException("Failed to get offsets by times in 1000ms");
        outage.probeFailed(probe);
        now = now.plusSeconds(1);
        outage.succeeded();
        outage.probeFailed(probe);
        now = now.plus(Duration.ofMillis(4900));
        outage.probeFailed(probe);
        assertThat(lines).isEmpty();
        now = now.plusMillis(100);
        outage.probeFailed(probe);
        assertThat(lines).hasSize(1).first().asString().startsWith("WARN the Kafka broker is unreachable");
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
        assertThat(lines.get(1)).startsWith("INFO the Kafka broker is reachable again, 7 s after it was found unreachable");
    }

    @Test
    void timeouts_anywhere_in_the_cause_chain_mean_unreachable_other_failures_are_bugs() {
        assertThat(BrokerOutage.explains(new TimeoutException("x"))).isTrue();
        assertThat(BrokerOutage.explains(new KafkaException("rebalance callback", new TimeoutException("x"))))
                .isTrue();
        assertThat(BrokerOutage.explains(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void an_outage_is_said_once_when_it_begins_and_once_when_it_ends_and_a_second_one_again() {
        TimeoutException missing = new TimeoutException("Topic batchpool.vm-reports.v1 not present in metadata after 60000 ms.");
        assertThat(outage.succeeded()).as("no outage to end").isFalse();
        assertThat(outage.failed(missing)).as("the first failure begins the outage").isTrue();
        assertThat(outage.failed(missing)).as("later failures are not said again").isFalse();
        assertThat(outage.ongoing()).isTrue();
        assertThat(outage.succeeded()).isTrue();
        assertThat(outage.succeeded()).isFalse();
        assertThat(outage.ongoing()).isFalse();
        assertThat(outage.failed(missing)).as("a second outage is said again").isTrue();
        assertThat(lines).extracting(l -> l.substring(0, 4)).containsExactly("WARN", "INFO", "WARN");
    }

    @Test
    void only_retriable_errors_anywhere_in_the_cause_chain_are_explained_by_an_outage() {
        assertThat(BrokerOutage.explains(new IllegalStateException("could not send",
                new java.util.concurrent.ExecutionException(new TimeoutException("metadata"))))).isTrue();
        assertThat(BrokerOutage.explains(new KafkaException("record too large"))).isFalse();
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
