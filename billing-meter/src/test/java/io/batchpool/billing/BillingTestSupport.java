package io.batchpool.billing;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;

import static org.awaitility.Awaitility.await;

/** Publishes real VM-event envelopes to the shared broker and talks to the usage API as the operator. */
public final class BillingTestSupport {
    /** Synthetic business time, well in the past so that "now" is always later. */
    public static final Instant T0 = Instant.parse("2024-03-04T00:00:00Z");
    public static final long H = 3_600_000L;
    public static final String OPERATOR_KEY = "operator-dev-key";

    private static final EventCodec<VmEvent> CODEC = new EventCodec<>(VmEvent.class);
    private static KafkaProducer<String, byte[]> producer;

    private BillingTestSupport() {
    }

    public static Instant at(double hours) {
        return T0.plusMillis(Math.round(hours * H));
    }

    public static String id() {
        return Ids.newId();
    }

    public static RequestSpecification operator() {
        return RestAssured.given().header("Authorization", "Bearer " + OPERATOR_KEY);
    }

    /** Waits until the consumer has its partitions and has replayed what the shared topic held at start-up. */
    public static void awaitReady() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
    }

    public static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "billing-meter-test"));
        }
        return producer;
    }

    public static byte[] encode(Envelope<? extends VmEvent> envelope) {
        return CODEC.encode(envelope);
    }

    /** Publishes one envelope keyed by its pool id, as pool-manager does, and waits for the broker's ack. */
    public static RecordMetadata publish(Envelope<? extends VmEvent> envelope) {
        return publishRaw(envelope.data().poolId(), encode(envelope));
    }

    public static RecordMetadata publish(VmEvent event, long sequence) {
        return publish(Envelope.of(event, sequence, occurredAt(event)));
    }

    public static RecordMetadata publishRaw(String key, byte[] value) {
        try {
            return producer().send(new ProducerRecord<>(Topics.VM_EVENTS, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + Topics.VM_EVENTS, e.getCause());
        }
    }

    private static Instant occurredAt(VmEvent event) {
        if (event instanceof VmProvisioned p) {
            return p.provisionedAt();
        }
        if (event instanceof VmDeleted d) {
            return d.deletedAt();
        }
        return T0;
    }

    /** A pool's VM stories, with the pool's own sequence numbers. */
    public static final class Pool {
        public final String poolId;
        public final String accountId;
        public final String planId;
        private long sequence;

        public Pool(String accountId, String planId) {
            this.poolId = id();
            this.accountId = accountId;
            this.planId = planId;
        }

        public Pool() {
            this(id(), id());
        }

        public VmProvisioned provisioned(String vmId, double hour) {
            return new VmProvisioned(poolId, vmId, accountId, planId, 1, at(hour));
        }

        public VmDeleted deleted(String vmId, double hour, boolean wasProvisioned) {
            return new VmDeleted(poolId, vmId, accountId, planId, at(hour), VmDeletionReason.SCALED_DOWN,
                    wasProvisioned);
        }

        public Envelope<VmEvent> envelope(VmEvent event) {
            return Envelope.of(event, ++sequence, occurredAt(event));
        }

        public RecordMetadata publish(VmEvent event) {
            return BillingTestSupport.publish(envelope(event));
        }

        /** Provisions {@code vms} new VMs at {@code fromHour} and deletes them at {@code toHour}. */
        public void run(int vms, double fromHour, double toHour) {
            String[] ids = new String[vms];
            for (int i = 0; i < vms; i++) {
                ids[i] = id();
                publish(provisioned(ids[i], fromHour));
            }
            for (String vm : ids) {
                publish(deleted(vm, toHour, true));
            }
        }
    }
}
