package io.batchpool.kit;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerOutageTest {
    @Test
    void anOutageIsSaidOnceWhenItBeginsAndOnceWhenItEnds() {
        BrokerOutage outage = new BrokerOutage(BrokerOutageTest.class, "test records");
        assertThat(outage.succeeded()).as("no outage to end").isFalse();
        TimeoutException missing = new TimeoutException("Topic batchpool.vm-reports.v1 not present in metadata after 60000 ms.");
        assertThat(outage.failed(missing)).as("the first failure begins the outage").isTrue();
        assertThat(outage.failed(missing)).as("later failures are not said again").isFalse();
        assertThat(outage.ongoing()).isTrue();
        assertThat(outage.succeeded()).isTrue();
        assertThat(outage.succeeded()).isFalse();
        assertThat(outage.failed(missing)).as("a second outage is said again").isTrue();
    }

    @Test
    void onlyRetriableErrorsAreExplainedByAnOutage() {
        assertThat(BrokerOutage.explains(new IllegalStateException("could not send",
                new java.util.concurrent.ExecutionException(new TimeoutException("metadata"))))).isTrue();
        assertThat(BrokerOutage.explains(new KafkaException("record too large"))).isFalse();
        assertThat(BrokerOutage.explains(new IllegalStateException("a bug"))).isFalse();
    }
}
