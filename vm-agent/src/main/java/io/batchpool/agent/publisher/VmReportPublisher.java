package io.batchpool.agent.publisher;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.kit.KafkaClients;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Sends VM reports to {@link Topics#VM_REPORTS}, keyed by pool id (acks=all, idempotent producer). */
@ApplicationScoped
public class VmReportPublisher {
    private static final Logger LOG = Logger.getLogger(VmReportPublisher.class);
    private static final EventCodec<VmReport> CODEC = new EventCodec<>(VmReport.class);

    private volatile Producer<String, byte[]> producer;
    private final BrokerOutage outage = new BrokerOutage(VmReportPublisher.class, "VM reports (boots, heartbeats, stops) do not get through");

    public void start(String bootstrap, String clientId) {
        producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, clientId));
    }

    /** Asynchronous: the record is on its way when this returns; {@link #flush()} waits for the acknowledgements. */
    public void publish(Envelope<VmReport> report) {
        VmReport data = report.data();
        producer.send(new ProducerRecord<>(Topics.VM_REPORTS, data.poolId(), CODEC.encode(report)), (meta, error) -> {
            // heartbeats are superseded by the next one; a lost VmBooted/VmStopped leaves the VM to pool-manager's
            // heartbeat timeout, which is the same path as a crash
            if (error == null) {
                outage.succeeded();
            } else if (BrokerOutage.explains(error)) {
                outage.failed(error);
            } else {
                LOG.errorf("could not send %s #%d of VM %s (pool %s): %s", report.type(), report.sequence(),
                        data.vmId(), data.poolId(), error.getMessage());
            }
        });
    }

    public void flush() {
        Producer<String, byte[]> p = producer;
        if (p != null) {
            p.flush();
        }
    }

    public void close() {
        Producer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
