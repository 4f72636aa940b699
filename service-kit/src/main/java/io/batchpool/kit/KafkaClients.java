package io.batchpool.kit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import java.time.Duration;

import java.util.HashMap;
import java.util.Map;

/** The client settings every Batchpool service uses: durable producers, read-committed consumers. */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** acks=all and idempotence: an acknowledged record is on every in-sync replica, never duplicated by retries. */
    public static Map<String, Object> producer(String bootstrap, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        // fail a send within seconds when the broker is away, instead of blocking callers for minutes
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        return p;
    }

    public static Map<String, Object> transactionalProducer(String bootstrap, String transactionalId) {
        Map<String, Object> p = producer(bootstrap, transactionalId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30000);
        return p;
    }

    /**
     * Ends, from another thread, the calls a processor's clients make that wait for the broker: the consumers are woken
     * up and the producer is closed at once (which also ends an initTransactions, commit or abort waiting for a broker
     * that is away; a transaction left open is aborted by the next incarnation's initTransactions, as after a crash).
     * For a shutdown: what fails on the processor's thread because of it is the shutdown, not an error. Nulls are
     * skipped.
     */
    public static void abandon(Producer<?, ?> producer, Consumer<?, ?>... consumers) {
        for (Consumer<?, ?> c : consumers) {
            if (c != null) {
                c.wakeup();
            }
        }
        if (producer != null) {
            Utils.closeQuietly(() -> producer.close(Duration.ZERO), "producer");
        }
    }

    /** A consumer that sees only committed records and commits offsets itself (or inside a transaction). */
    public static Map<String, Object> consumer(String bootstrap, String groupId, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (groupId != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }
}
