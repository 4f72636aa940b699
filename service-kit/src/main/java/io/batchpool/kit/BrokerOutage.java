package io.batchpool.kit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Says once per outage, at WARN, that the Kafka broker cannot be reached, and once, at INFO, that it is back and after
 * how long. A broker outage is an expected condition that every service rides out by itself (it retries, or resumes
 * from the log); a line per failed send or poll would bury the one line an operator needs. Failures a broker outage
 * does not explain (not {@link #explains}) are the caller's to report. A single short request that timed out on a
 * busy machine is no outage: {@link #probeFailed} speaks only once the broker has not answered for a while.
 * Thread-safe: publishers call it from their producers' callback threads.
 */
public final class BrokerOutage {
    private static final Duration PROBE_GRACE = Duration.ofSeconds(5);
    private final Logger log;
    private final String what;
    private final Clock clock;
    /** The first failure of the outage going on; null while the broker is reachable. */
    private Instant since;
    private boolean told;
    private long failures;

    /**
     * @param owner the class whose logger speaks
     * @param what  what the outage holds up, said after "meanwhile", e.g. "VM reports do not get through"
     */
    public BrokerOutage(Class<?> owner, String what) {
        this(LoggerFactory.getLogger(owner), what, Clock.systemUTC());
    }

    public BrokerOutage(Logger log, String what, Clock clock) {
        this.log = log;
        this.what = what;
        this.clock = clock;
    }

    /** Whether a broker that cannot be reached (or is failing over) explains {@code error}, or one of its causes. */
    public static boolean explains(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException) { // TimeoutException included
                return true;
            }
        }
        return false;
    }

    /**
     * A send, poll or commit that {@link #explains} says the broker's absence explains failed: an outage, said at
     * once unless already said.
     *
     * @return whether this failure was the one that told the outage
     */
    public synchronized boolean failed(Throwable cause) {
        failures++;
        if (since == null) {
            since = clock.instant();
        }
        return tell(cause);
    }

    /** A short request to the broker timed out: said (once) only when the broker has not answered for a while. */
    public synchronized void probeFailed(Throwable cause) {
        failures++;
        Instant now = clock.instant();
        if (since == null) {
            since = now;
        } else if (Duration.between(since, now).compareTo(PROBE_GRACE) >= 0) {
            tell(cause);
        }
    }

    /**
     * Asks the broker something small that no cache answers: the end offsets of the consumer's partitions, or, when it
     * has none, the topic list. Returns whether the broker answered within {@code timeout}, accounted as by
     * {@link #succeeded} and {@link #probeFailed}.
     */
    public boolean probe(Consumer<?, ?> consumer, Duration timeout) {
        try {
            Set<TopicPartition> owned = consumer.assignment();
            if (owned.isEmpty()) {
                consumer.listTopics(timeout);
            } else {
                consumer.endOffsets(owned, timeout);
            }
            succeeded();
            return true;
        } catch (TimeoutException e) {
            probeFailed(e);
            return false;
        }
    }

    private boolean tell(Throwable cause) {
        if (told) {
            return false;
        }
        told = true;
        log.warn("the Kafka broker is unreachable ({}); meanwhile {}. Nothing is lost: this resumes by itself when "
                + "the broker is back. Check that the broker is running.", cause.getMessage(), what);
        return true;
    }

    /**
     * The broker answered: ends an outage, if one was going on.
     *
     * @return whether this ended an outage that had been told
     */
    public synchronized boolean succeeded() {
        if (since == null) {
            return false;
        }
        boolean wasTold = told;
        if (wasTold) {
            log.info("the Kafka broker is reachable again, {} s after it was found unreachable ({} failed attempts "
                    + "meanwhile)", Duration.between(since, clock.instant()).toSeconds(), failures);
        }
        since = null;
        told = false;
        failures = 0;
        return wasTold;
    }

    /** Whether an outage is going on (a failure and no success since). */
    public synchronized boolean ongoing() {
        return since != null;
    }
}
