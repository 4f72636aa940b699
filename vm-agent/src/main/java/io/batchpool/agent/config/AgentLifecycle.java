package io.batchpool.agent.config;

import io.batchpool.agent.consumer.AssignmentConsumer;
import io.batchpool.agent.consumer.ModelConsumer;
import io.batchpool.agent.consumer.ProvisionerCommandConsumer;
import io.batchpool.agent.publisher.JobReportPublisher;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.agent.publisher.VmReportPublisher;
import io.batchpool.agent.service.LocalProvisioner;
import io.batchpool.kit.TopicBootstrap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Start-up order: topics, producer, VM host thread, the job side (model consumer, report producer, job runner,
 * assignments consumer, positioned), then the provisioner command consumer, so that no VM is booted before its
 * assignments can be read. Shut-down in reverse, without any VmStopped: the VMs of a
 * process that ends end with it (their attempts are stopped and their temporary outputs discarded).
 */
@ApplicationScoped
public class AgentLifecycle {
    private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);
    private final String bootstrap;
    private final KafkaConfig kafka;
    private final VmReportPublisher publisher;
    private final LocalProvisioner provisioner;
    private final ProvisionerCommandConsumer consumer;
    private final MeterRegistry registry;
    private final JobReportPublisher jobReports;
    private final JobRunner runner;
    private final AssignmentConsumer assignments;
    private final ModelConsumer models;

    public AgentLifecycle(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, KafkaConfig kafka,
                          VmReportPublisher publisher, LocalProvisioner provisioner,
                          ProvisionerCommandConsumer consumer, MeterRegistry registry,
                          JobReportPublisher jobReports, JobRunner runner, AssignmentConsumer assignments,
                          ModelConsumer models) {
        this.models = models;
        this.jobReports = jobReports;
        this.runner = runner;
        this.assignments = assignments;
        this.bootstrap = bootstrap;
        this.kafka = kafka;
        this.publisher = publisher;
        this.provisioner = provisioner;
        this.consumer = consumer;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("batchpool.records.skipped", this,
                        l -> l.consumer.skipped().count() + l.assignments.skipped().count()
                                + l.models.skipped().count())
                .description("records skipped because they could not be decoded")
                .register(registry);
        Gauge.builder("batchpool.agent.vms", provisioner, p -> p.vms().size())
                .description("VMs hosted by this local provisioner")
                .register(registry);
        TopicBootstrap.ensureTopics(bootstrap, kafka.replicationFactor());
        publisher.start(bootstrap, "vm-agent-" + provisioner.agentId());
        provisioner.start();
        models.start(bootstrap);
        jobReports.start(bootstrap, "vm-agent-jobs-" + provisioner.agentId());
        runner.start();
        assignments.start(bootstrap);
        // no VM boots here before the assignments consumer has its positions: a partition without a committed offset
        // is read from its end, which would skip an AssignJob sent to a VM that booted in the meantime
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!assignments.positioned() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!assignments.positioned()) {
            LOG.warn("the assignments consumer is not positioned after 60 s; taking provisioner commands anyway");
        }
        consumer.start(bootstrap);
    }

    void onStop(@Observes ShutdownEvent event) {
        assignments.stop();
        runner.stop();
        jobReports.close();
        models.stop();
        consumer.stop();
        provisioner.stop();
        publisher.close();
    }
}
