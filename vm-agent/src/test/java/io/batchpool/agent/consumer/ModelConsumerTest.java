package io.batchpool.agent.consumer;

import io.batchpool.agent.consumer.ModelConsumer.Outcome;
import io.batchpool.agent.service.ModelCacheAccess;
import io.batchpool.agent.service.ModelCache;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.service.ModelPublished;
import io.batchpool.contracts.service.ServiceModelEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One record at a time, without a broker: what is written, skipped and counted. */
class ModelConsumerTest {
    private static final EventCodec<ServiceModelEvent> CODEC = new EventCodec<>(ServiceModelEvent.class);
    private static final byte[] MODEL = "not really onnx, the consumer does not care".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    ModelCache cache;
    ModelConsumer consumer;
    long offset;

    @BeforeEach
    void setUp() {
        cache = ModelCacheAccess.cache(dir);
        consumer = new ModelConsumer(cache, null);
    }

    @Test
    void writesAVersionOnceAndSkipsItWhenItIsOnDisk() throws Exception {
        assertThat(consumer.handle(record("svc:1", published("svc", 1, ModelConsumer.sha256(MODEL), MODEL))))
                .isEqualTo(Outcome.WRITTEN);
        Path file = dir.resolve("svc/1/model.onnx");
        assertThat(Files.readAllBytes(file)).isEqualTo(MODEL);
        assertThat(consumer.handle(record("svc:1", published("svc", 1, ModelConsumer.sha256(MODEL), MODEL))))
                .isEqualTo(Outcome.PRESENT);
        // even an unreadable record of a version on disk is not looked at: its key says it is there
        assertThat(consumer.handle(record("svc:1", "garbage".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(Outcome.PRESENT);
        assertThat(consumer.written()).isEqualTo(1);
        assertThat(consumer.present()).isEqualTo(2);
        assertThat(consumer.skipped().count()).isZero();
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
        }
    }

    @Test
    void aWrongSha256IsCountedAndNothingIsWritten() {
        byte[] other = "other bytes".getBytes(StandardCharsets.UTF_8);
        assertThat(consumer.handle(record("svc:2", published("svc", 2, ModelConsumer.sha256(other), MODEL))))
                .isEqualTo(Outcome.SKIPPED);
        assertThat(consumer.skipped().count()).isEqualTo(1);
        assertThat(dir.resolve("svc/2/model.onnx")).doesNotExist();
    }

    @Test
    void undecodableAndUnusableRecordsAreCountedAndSkipped() {
        String sha = ModelConsumer.sha256(MODEL);
        assertThat(consumer.handle(record("svc:3", "{not json".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(Outcome.SKIPPED);
        assertThat(consumer.handle(record("svc:3", "{\"type\":\"ModelWithdrawn\",\"data\":{}}"
                .getBytes(StandardCharsets.UTF_8)))).as("unknown type").isEqualTo(Outcome.SKIPPED);
        assertThat(consumer.handle(record("..:1", published("..", 1, sha, MODEL)))).as("a path, not an id")
                .isEqualTo(Outcome.SKIPPED);
        assertThat(consumer.handle(record("svc:0", published("svc", 0, sha, MODEL)))).as("version 0")
                .isEqualTo(Outcome.SKIPPED);
        ModelPublished broken = new ModelPublished("svc:4", "svc", "acct", 4, sha, "***not base64***");
        assertThat(consumer.handle(record("svc:4", CODEC.encode(Envelope.of(broken, 1, Instant.now())))))
                .isEqualTo(Outcome.SKIPPED);
        assertThat(consumer.skipped().count()).isEqualTo(5);
        assertThat(consumer.written()).isZero();
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void aTombstoneIsIgnoredAndNotCounted() {
        assertThat(consumer.handle(record("svc:1", null))).isEqualTo(Outcome.TOMBSTONE);
        assertThat(consumer.skipped().count()).isZero();
    }

    @Test
    void fetchesAdmitTheLargestRecordOfTheTopic() {
        Map<String, Object> props = ModelConsumer.consumerProperties("127.0.0.1:1", "test");
        assertThat((Integer) props.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG))
                .isGreaterThanOrEqualTo(Topics.SERVICE_MODELS_MAX_MESSAGE_BYTES);
        assertThat((Integer) props.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG))
                .isGreaterThanOrEqualTo(Topics.SERVICE_MODELS_MAX_MESSAGE_BYTES);
        assertThat(props).doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
        assertThat(props.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)).isEqualTo(false);
    }

    private static byte[] published(String service, int version, String sha, byte[] model) {
        ModelPublished event = new ModelPublished(service + ":" + version, service, "acct", version, sha,
                Base64.getEncoder().encodeToString(model));
        return CODEC.encode(Envelope.of(event, version, Instant.now()));
    }

    private ConsumerRecord<String, byte[]> record(String key, byte[] value) {
        return new ConsumerRecord<>(Topics.SERVICE_MODELS, 0, offset++, key, value);
    }
}
