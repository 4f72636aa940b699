package io.batchpool.billing;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobQueued;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobStarted;
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
    private static final EventCodec<JobEvent> JOB_CODEC = new EventCodec<>(JobEvent.class);
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
        return publishRaw(Topics.VM_EVENTS, key, value);
    }

    /** Publishes one job event envelope keyed by its queue id, as job-dispatcher does. */
    public static RecordMetadata publishJob(Envelope<? extends JobEvent> envelope) {
        return publishRaw(Topics.JOB_EVENTS, envelope.data().key(), JOB_CODEC.encode(envelope));
    }

    public static RecordMetadata publishRaw(String topic, String key, byte[] value) {
        try {
            return producer().send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + topic, e.getCause());
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

    /** Seconds after {@link #T0}. */
    public static Instant sec(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    /**
     * One job of a queue told as job-dispatcher tells it: every transition in a legal order with the job's own
     * sequence numbers, so that a dispatcher replaying the shared topic accepts the story too.
     */
    public static final class Job {
        public final String queueId;
        public final String jobId = id();
        public final String accountId;
        public final String serviceId;
        private long sequence;
        private int attempt;

        public Job(String queueId, String accountId, String serviceId) {
            this.queueId = queueId;
            this.accountId = accountId;
            this.serviceId = serviceId;
        }

        public Envelope<JobEvent> next(JobEvent event, Instant occurredAt) {
            return Envelope.of(event, ++sequence, occurredAt);
        }

        public Envelope<JobEvent> publish(JobEvent event, Instant occurredAt) {
            Envelope<JobEvent> e = next(event, occurredAt);
            publishJob(e);
            return e;
        }

        /** Created and queued at {@code t}. */
        public Job submitted(double t) {
            publish(new JobCreated(jobId, queueId, accountId, serviceId, 1), sec(t));
            publish(new JobQueued(jobId, queueId, 1), sec(t));
            return this;
        }

        /** The next attempt is assigned just before {@code t} and started by its agent at {@code t}. */
        public Envelope<JobEvent> started(double t) {
            attempt++;
            publish(new JobAssigned(jobId, queueId, "vm-" + jobId, attempt), sec(t));
            return publish(new JobStarted(jobId, queueId, "vm-" + jobId, attempt, sec(t)), sec(t));
        }

        public Envelope<JobEvent> requeued(double t) {
            return publish(new JobRequeued(jobId, queueId, attempt + 1, "VM vm-" + jobId + " was lost", -attempt), sec(t));
        }

        public Envelope<JobEvent> finished(double t) {
            return publish(new JobFinished(jobId, queueId, attempt, java.util.Map.of(), 10, sec(t)), sec(t));
        }

        public Envelope<JobEvent> failed(double t) {
            return publish(new JobFailed(jobId, queueId, attempt, "line 7, column 'age': not a number", sec(t)), sec(t));
        }

        public Envelope<JobEvent> cancelled(double t) {
            return publish(new JobCancelled(jobId, queueId, "cancelled by the client", sec(t)), sec(t));
        }

        /** Submitted, started at {@code from}, finished at {@code to}. */
        public Job ran(double from, double to) {
            submitted(from);
            started(from);
            finished(to);
            return this;
        }
    }
}
