package io.batchpool.kit;

import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says once per outage, at WARN, that the Kafka broker cannot be reached, and once, at INFO, that it is back. A broker
 * outage is an expected condition that the services ride out (they retry, or the next heartbeat supersedes the lost
 * one); a line per failed send would bury the one line an operator needs. Failures a broker outage does not explain
 * (not {@link #explains retriable}) are the caller's to report.
 */
public final class BrokerOutage {
    private final Logger log;
    private final String what;
    /** {@link System#nanoTime()} of the outage's first failure; 0 while the broker is reachable. */
    private final AtomicLong since = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param owner the class whose logger speaks
     * @param what  what does not get through while the broker is away, e.g. "VM reports"
     */
    public BrokerOutage(Class<?> owner, String what) {
        this.log = LoggerFactory.getLogger(owner);
        this.what = what;
    }

    /** Whether a broker that cannot be reached (or is failing over) explains {@code error}, or one of its causes. */
    public static boolean explains(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A send or read failed because of {@code error}, which {@link #explains} says the broker's absence explains.
     *
     * @return whether this failure began an outage (and was logged)
     */
    public boolean failed(Throwable error) {
        failures.incrementAndGet();
        if (since.compareAndSet(0, System.nanoTime() | 1)) {
            log.warn("the Kafka broker is unreachable: {} do not get through ({}); retrying until it is back", what,
                    error.getMessage());
            return true;
        }
        return false;
    }

    /**
     * A send or read went through: ends an outage, if one was going on.
     *
     * @return whether this ended an outage (and was logged)
     */
    public boolean succeeded() {
        long start = since.getAndSet(0);
        if (start != 0) {
            log.info("the Kafka broker is reachable again after {} s: {} get through ({} failed meanwhile)",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), what, failures.getAndSet(0));
            return true;
        }
        return false;
    }

    /** Whether an outage is going on (a failure and no success since). */
    public boolean ongoing() {
        return since.get() != 0;
    }
}
