package io.batchpool.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The local provisioner: how its VMs boot and report, and how it reads provisioner commands. */
@ConfigMapping(prefix = "batchpool.vm-agent")
public interface AgentConfig {

    /** Names this process in VmBooted / VmHeartbeat / VmStopped; default {@code local-<hostname>-<pid>}. */
    Optional<String> agentId();

    /** Consumer group on the provisioner commands topic. */
    @WithDefault("vm-agent-local")
    String groupId();

    /** Time from ProvisionVm to VmBooted (zero allowed). */
    @WithDefault("PT2S")
    Duration bootDelay();

    /** Time between two heartbeats of a READY VM. */
    @WithDefault("PT1S")
    Duration heartbeatInterval();

    /** VMs this process hosts at most; a ProvisionVm beyond it is logged and ignored. */
    @WithDefault("2000")
    int maxVms();

    /**
     * A ProvisionVm older than this is ignored: it is history that a new consumer group reads from the
     * beginning of the topic, not a request anyone still waits for.
     */
    @WithDefault("PT10M")
    Duration commandMaxAge();

    /** Consumer group session timeout: how fast a dead provisioner's partitions move to another one. */
    @WithDefault("PT10S")
    Duration sessionTimeout();

    /**
     * Where models are kept: {@code <model-dir>/<serviceId>/<version>/model.onnx}, written by the model consumer from
     * the service-models topic (files put there by hand are used too).
     */
    @WithDefault("${java.io.tmpdir}/batchpool-models")
    String modelDir();

    /**
     * How long an attempt waits for a model version that is not on disk yet (the model consumer may lag behind the
     * assignment) before it fails as retryable. Zero: no wait.
     */
    @WithDefault("PT30S")
    Duration modelWait();

    /** Loaded models kept in memory (least recently used ones are closed once no attempt uses them). */
    @WithDefault("4")
    int modelCacheSize();

    /** Threads running job attempts in this process (all hosted VMs share them). */
    @WithDefault("2")
    int jobThreads();

    /** Consumer group whose committed offsets say where the assignments consumer resumes. */
    @WithDefault("vm-agent-assignments")
    String assignmentsGroupId();

    /** AttemptProgressed is sent at most this often per attempt. */
    @WithDefault("PT1S")
    Duration progressInterval();

    /**
     * On shut-down, how long attempts (stopped like those of a stopped VM) and commits get to end before the process
     * ends without them; none is interrupted, so a storage call in progress ends with the process.
     */
    @WithDefault("PT3S")
    Duration shutdownGrace();
}
