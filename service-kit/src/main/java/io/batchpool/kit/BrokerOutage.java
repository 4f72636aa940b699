package io.batchpool.kit;

import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Tells the operator, once per outage, that a processor cannot reach the Kafka broker, and how long it lasted when it
 * is back. A processor keeps retrying by itself: the outage is an expected condition (WARN), not a bug (ERROR).
 */
public final class BrokerOutage {
    private final Logger log;
    private final String processor;
    private final String bootstrap;
    private final Clock clock;
    private Instant since;

    public BrokerOutage(Logger log, String processor, String bootstrap, Clock clock) {
        this.log = log;
        this.processor = processor;
        this.bootstrap = bootstrap;
        this.clock = clock;
    }

    /** Whether the failure means the broker could not be reached in time (rather than a bug). */
    public static boolean isUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof RetriableException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The broker did not answer; logged once until {@link #reachable} is called. */
    public void unreachable(Throwable cause) {
        if (since != null) {
            return;
        }
        since = clock.instant();
        log.warn("{}: the Kafka broker at {} is unreachable ({}); it decides nothing until the broker is back and "
                + "then resumes by itself from the log. Check that the broker is running.", processor, bootstrap,
                cause.getMessage());
    }

    /** The broker answered: ends an outage in progress. */
    public void reachable() {
        if (since == null) {
            return;
        }
        log.info("{}: the Kafka broker at {} is reachable again after {} s; resuming from the log", processor,
                bootstrap, Duration.between(since, clock.instant()).toSeconds());
        since = null;
    }

    public boolean ongoing() {
        return since != null;
    }
}
