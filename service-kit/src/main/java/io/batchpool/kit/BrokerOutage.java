package io.batchpool.kit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Tells the operator, once per outage, that a processor cannot reach the Kafka broker, and how long it lasted when it
 * is back. A processor keeps retrying by itself: the outage is an expected condition (WARN), not a bug (ERROR). A
 * single short request that timed out on a busy machine is no outage: {@link #probeFailed} speaks only once the
 * broker has not answered for a while.
 */
public final class BrokerOutage {
    private final Logger log;
    private final String processor;
    private final String bootstrap;
    private final Clock clock;
    private static final Duration PROBE_GRACE = Duration.ofSeconds(5);
    private Instant since;
    private boolean told;

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

    /**
     * Asks the broker something small: the end offsets of the consumer's partitions, or, when it has none, the
     * topic list (neither is answered from a cache). Returns whether the broker answered within {@code timeout};
     * the answer, or its absence, is accounted as by {@link #reachable} and {@link #probeFailed}.
     */
    public boolean probe(Consumer<?, ?> consumer, Duration timeout) {
        try {
            Set<TopicPartition> owned = consumer.assignment();
            if (owned.isEmpty()) {
                consumer.listTopics(timeout);
            } else {
                consumer.endOffsets(owned, timeout);
            }
            reachable();
            return true;
        } catch (TimeoutException e) {
            probeFailed(e);
            return false;
        }
    }

    /** A call that waits long for the broker failed: an outage, logged once until {@link #reachable} is called. */
    public void unreachable(Throwable cause) {
        if (since == null) {
            since = clock.instant();
        }
        tell(cause);
    }

    /** A short request to the broker timed out: logged (once) when the broker has not answered for a while. */
    public void probeFailed(Throwable cause) {
        Instant now = clock.instant();
        if (since == null) {
            since = now;
        } else if (Duration.between(since, now).compareTo(PROBE_GRACE) >= 0) {
            tell(cause);
        }
    }

    private void tell(Throwable cause) {
        if (told) {
            return;
        }
        told = true;
        log.warn("{}: the Kafka broker at {} is unreachable ({}); it decides nothing until the broker is back and "
                + "then resumes by itself from the log. Check that the broker is running.", processor, bootstrap,
                cause.getMessage());
    }

    /** The broker answered: ends an outage in progress. */
    public void reachable() {
        if (since == null) {
            return;
        }
        if (!told) {
            since = null;
            return;
        }
        told = false;
        log.info("{}: the Kafka broker at {} is reachable again, {} s after it was found unreachable; resuming "
                + "from the log", processor, bootstrap, Duration.between(since, clock.instant()).toSeconds());
        since = null;
    }
}
