package io.batchpool.gateway.publisher;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.kit.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import io.batchpool.contracts.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends outbox rows to Kafka in id order, waits for the broker's acks, then deletes them. One relay at a time
 * across gateway instances: the one whose connection holds a PostgreSQL session advisory lock (released by the
 * server if that connection dies). A crash between send and delete re-sends rows: pool-manager ignores a command
 * whose sequence is not newer. When the broker is away, rows wait (requests are still admitted) and readiness
 * reports the backlog's age.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private final BrokerOutage outage = new BrokerOutage(OutboxRelay.class, "commands wait in the outbox");
    /** Advisory lock key of the relay: the ASCII of "BPOUTBOX". */
    static final long LOCK_KEY = 0x42504f5554424f58L;

    private final AgroalDataSource dataSource;
    private final GatewayConfig config;
    private final String bootstrap;
    private final String jdbcUrl;
    private final String dbUser;
    private final String dbPassword;
    private final Semaphore wake = new Semaphore(0);

    private volatile boolean running;
    private volatile Thread thread;
    private volatile Backlog backlog = new Backlog(0, null);
    private Connection leaderConnection;
    private long nextLeaderAttempt;
    private Producer<String, byte[]> producer;

    /** Rows waiting and the creation time of the oldest ({@code null} when empty). */
    public record Backlog(long rows, Instant oldest) {
        public Duration age(Instant now) {
            return oldest == null ? Duration.ZERO : Duration.between(oldest, now);
        }
    }

    @Inject
    public OutboxRelay(AgroalDataSource dataSource, GatewayConfig config,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                       @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
                       @ConfigProperty(name = "quarkus.datasource.username") Optional<String> dbUser,
                       @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword) {
        this.dataSource = dataSource;
        this.config = config;
        this.bootstrap = bootstrap;
        this.jdbcUrl = jdbcUrl;
        this.dbUser = dbUser.orElse(null);
        this.dbPassword = dbPassword.orElse("");
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void committed(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxWritten event) {
        wake();
    }

    /** Makes the relay run now instead of at its next interval. */
    public void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    public Backlog backlog() {
        return backlog;
    }

    private void run() {
        long backoffMs = 0;
        while (running) {
            try {
                long waitMs = Math.max(config.relay().interval().toMillis(), backoffMs);
                if (wake.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (!running) {
                break;
            }
            try {
                if (leaderConnection != null || (System.nanoTime() - nextLeaderAttempt >= 0 && becomeLeader())) {
                    relayAll();
                    outage.succeeded();
                }
                backoffMs = 0;
            } catch (SQLException e) {
                // the database connection may be gone, and the lock with it: take it again before relaying
                LOG.warnf("outbox relay lost its database session, retrying: %s", e.toString());
                resign();
                backoffMs = Math.min(Math.max(backoffMs * 2, 500), 5000);
            } catch (Exception e) {
                // the broker is away or refused: keep the lock, start a fresh producer, re-send from the oldest row
                if (!BrokerOutage.explains(e)) {
                    LOG.warnf("outbox relay: the broker refused a command, retrying: %s", e.toString());
                }
                outage.failed(e); // said once per outage
                closeProducer();
                backoffMs = Math.min(Math.max(backoffMs * 2, 500), 5000);
            }
            refreshBacklog();
        }
        resign();
        closeProducer();
    }

    /**
     * Tries to take the relay lock on a connection of its own (not from the pool): when that connection ends, for
     * whatever reason, the server releases the lock and another gateway takes over.
     */
    private boolean becomeLeader() throws SQLException {
        nextLeaderAttempt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        Connection c = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
        try {
            c.setAutoCommit(true);
            try (PreparedStatement s = c.prepareStatement("select pg_try_advisory_lock(?)")) {
                s.setLong(1, LOCK_KEY);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        leaderConnection = c;
                        LOG.info("this gateway relays the outbox");
                        return true;
                    }
                }
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.close();
        return false;
    }

    private void relayAll() throws Exception {
        while (running) {
            List<Long> ids = new ArrayList<>();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            try (PreparedStatement s = leaderConnection.prepareStatement(
                    "select id, topic, record_key, payload from outbox order by id limit ?")) {
                s.setInt(1, config.relay().batchSize());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        acks.add(producer().send(new ProducerRecord<>(rs.getString(2), rs.getString(3), rs.getBytes(4))));
                    }
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            producer().flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
            try (PreparedStatement d = leaderConnection.prepareStatement("delete from outbox where id = any(?)")) {
                Array array = leaderConnection.createArrayOf("bigint", ids.toArray());
                d.setArray(1, array);
                d.executeUpdate();
                array.free();
            }
            LOG.debugf("relayed %d outbox rows", ids.size());
        }
    }

    private void refreshBacklog() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*), min(created_at) from outbox")) {
            if (rs.next()) {
                Timestamp oldest = rs.getTimestamp(2);
                backlog = new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant());
            }
        } catch (SQLException e) {
            LOG.debugf("cannot read outbox backlog: %s", e.getMessage());
        }
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            java.util.Map<String, Object> props = KafkaClients.producer(bootstrap, "api-gateway-outbox-relay");
            // a service-models record carries a whole model: the request and the buffer must hold the largest
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.SERVICE_MODELS_MAX_MESSAGE_BYTES + (1 << 20));
            props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * Topics.SERVICE_MODELS_MAX_MESSAGE_BYTES);
            producer = new KafkaProducer<>(props);
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("closing producer: %s", e.getMessage());
            }
            producer = null;
        }
    }

    /** Gives up the lock: closing its session releases it. */
    private void resign() {
        if (leaderConnection != null) {
            try {
                leaderConnection.close();
            } catch (SQLException e) {
                LOG.debugf("close failed: %s", e.getMessage());
            }
            leaderConnection = null;
        }
    }
}
