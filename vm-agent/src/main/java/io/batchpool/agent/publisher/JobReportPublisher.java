package io.batchpool.agent.publisher;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.kit.KafkaClients;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Future;

/** Sends attempt reports to {@link Topics#JOB_REPORTS}, keyed by queue id ({@code report.key()}). */
@ApplicationScoped
public class JobReportPublisher {
    private static final Logger LOG = Logger.getLogger(JobReportPublisher.class);
    private static final EventCodec<JobReport> CODEC = new EventCodec<>(JobReport.class);

    private volatile Producer<String, byte[]> producer;
    private final BrokerOutage outage = new BrokerOutage(JobReportPublisher.class,
            "attempt reports (started, succeeded, failed, committed) are held and sent again");

    public void start(String bootstrap, String clientId) {
        producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, clientId));
    }

    /** Asynchronous (progress): a lost one is superseded by the next. */
    public void publish(Envelope<JobReport> report) {
        send(report);
    }

    /**
     * Waits for the broker's acknowledgement (started, succeeded, failed, committed). These reports are facts the
     * dispatcher must learn (an attempt whose success report is lost would hold its slot for good): while the
     * broker is unreachable the report is sent again until it is acknowledged (the dispatcher ignores a duplicate).
     */
    public void publishAndWait(Envelope<JobReport> report) {
        while (true) {
            try {
                send(report).get(); // bounded by the producer's delivery timeout
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending " + report.type(), e);
            } catch (Exception e) {
                if (!BrokerOutage.explains(e) || producer == null) {
                    throw new IllegalStateException("could not send " + report.type() + " of job "
                            + report.data().jobId(), e);
                }
                // the send callback told the outage once; this report is sent again until it is acknowledged
            }
        }
    }

    private Future<?> send(Envelope<JobReport> report) {
        JobReport data = report.data();
        return producer.send(new ProducerRecord<>(Topics.JOB_REPORTS, data.key(), CODEC.encode(report)),
                (meta, error) -> {
                    if (error == null) {
                        outage.succeeded();
                    } else if (BrokerOutage.explains(error)) {
                        outage.failed(error);
                    } else {
                        LOG.errorf("could not send %s #%d of job %s attempt %d: %s", report.type(), report.sequence(),
                                data.jobId(), data.attempt(), error.getMessage());
                    }
                });
    }

    public void close() {
        Producer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
