package io.batchpool.gateway.it;

import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads a topic of the shared broker from the offsets it had when the reader was made: the broker keeps data
 * across runs and other suites, so tests look only at records written after they started, filtered by key.
 */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;

    public TopicReader(String topic) {
        consumer = new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "gateway-test-reader"));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before the test writes
    }

    /** Records whose key matches, until {@code count} were read or the timeout passed. */
    public List<ConsumerRecord<String, byte[]>> read(Predicate<String> key, int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (found.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (key.test(r.key())) {
                    found.add(r);
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
