package io.batchpool.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.job.*;
import io.batchpool.contracts.pool.*;
import io.batchpool.contracts.service.*;
import io.batchpool.contracts.vm.*;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards the public wire format: each event type has a golden JSON file under {@code golden/}; encoding the
 * sample must give exactly that JSON and decoding the file must give the sample back. Changing a golden file is
 * changing the public contract.
 */
class GoldenWireFormatTest {
    static final String POOL = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final String ACCOUNT = "8dfc151b0d3e446497b845f3b29ef53b";
    static final String VM = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
    static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    record Sample<M extends Message>(EventCodec<M> codec, M payload) {
    }

    static final EventCodec<PoolCommand> COMMANDS = new EventCodec<>(PoolCommand.class);
    static final EventCodec<PoolEvent> POOL_EVENTS = new EventCodec<>(PoolEvent.class);
    static final EventCodec<VmEvent> VM_EVENTS = new EventCodec<>(VmEvent.class);
    static final EventCodec<ProvisionerCommand> PROVISIONER = new EventCodec<>(ProvisionerCommand.class);
    static final EventCodec<VmReport> REPORTS = new EventCodec<>(VmReport.class);
    static final EventCodec<JobCommand> JOB_COMMANDS = new EventCodec<>(JobCommand.class);
    static final EventCodec<JobEvent> JOB_EVENTS = new EventCodec<>(JobEvent.class);
    static final EventCodec<Assignment> ASSIGNMENTS = new EventCodec<>(Assignment.class);
    static final EventCodec<JobReport> JOB_REPORTS = new EventCodec<>(JobReport.class);
    static final EventCodec<SlotEvent> SLOT_EVENTS = new EventCodec<>(SlotEvent.class);
    static final EventCodec<ServiceModelEvent> MODELS = new EventCodec<>(ServiceModelEvent.class);
    static final String JOB = "4f1c0a9b8e7d6c5b4a3928171605f4e3";
    static final String SERVICE = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

    static JobSpec spec() {
        return new JobSpec(JOB, ACCOUNT, SERVICE, 3, POOL,
                java.util.Map.of("input1", new BlobLocation(BlobLocation.Kind.CONNECTION_STRING,
                        "https://contoso.blob.core.windows.net/", "testint/data.csv", "v1:c2VhbGVk")),
                java.util.Map.of("output1", new BlobLocation(BlobLocation.Kind.SAS,
                        "https://contoso.blob.core.windows.net/", "results/out.csv", "v1:dG9rZW4=")),
                java.util.Map.of("threshold", "0.5"), java.time.Duration.ofHours(1));
    }

    static final java.util.Map<String, ResultLocation> RESULTS = java.util.Map.of("output1",
            new ResultLocation("https://contoso.blob.core.windows.net/", "results/out.csv", "v1:c2VhbGVkIHRva2Vu"));

    static List<Sample<?>> samples() {
        return List.of(
                new Sample<>(COMMANDS, new CreatePool(POOL, ACCOUNT, "plan-standard-s1", 2, 1)),
                new Sample<>(COMMANDS, new ResizePool(POOL, 0)),
                new Sample<>(COMMANDS, new DeletePool(POOL, false)),
                new Sample<>(POOL_EVENTS, new PoolCreated(POOL, ACCOUNT, "plan-standard-s1", 2, 1, 4)),
                new Sample<>(POOL_EVENTS, new PoolResized(POOL, 2, 0, 4)),
                new Sample<>(POOL_EVENTS, new PoolDeletionStarted(POOL, true, 4)),
                new Sample<>(POOL_EVENTS, new PoolDeleted(POOL)),
                new Sample<>(POOL_EVENTS, new PoolStatusChanged(POOL, PoolState.ACTIVE, 2, 1, 1, 0)),
                new Sample<>(VM_EVENTS, new VmRequested(POOL, VM, ACCOUNT, "plan-standard-s1", 1)),
                new Sample<>(VM_EVENTS, new VmProvisioned(POOL, VM, ACCOUNT, "plan-standard-s1", 1, T)),
                new Sample<>(VM_EVENTS, new VmDrainStarted(POOL, VM)),
                new Sample<>(VM_EVENTS, new VmDeleted(POOL, VM, ACCOUNT, "plan-standard-s1", T.plusSeconds(3600),
                        VmDeletionReason.SCALED_DOWN, true)),
                new Sample<>(VM_EVENTS, new VmSeenAfterLoss(POOL, VM, ACCOUNT, "plan-standard-s1",
                        T.plusSeconds(3617), true)),
                new Sample<>(PROVISIONER, new ProvisionVm(VM, POOL, 1)),
                new Sample<>(PROVISIONER, new DeprovisionVm(VM, POOL)),
                new Sample<>(REPORTS, new VmBooted(POOL, VM, "agent-1", 1)),
                new Sample<>(REPORTS, new VmHeartbeat(POOL, VM, "agent-1")),
                new Sample<>(REPORTS, new VmStopped(POOL, VM, "agent-1")),
                new Sample<>(JOB_COMMANDS, new SubmitJob(JOB, POOL, spec())),
                new Sample<>(JOB_COMMANDS, new StartJob(JOB, POOL)),
                new Sample<>(JOB_COMMANDS, new CancelJob(JOB, POOL)),
                new Sample<>(JOB_EVENTS, new JobCreated(JOB, POOL, ACCOUNT, SERVICE, 3)),
                new Sample<>(JOB_EVENTS, new JobQueued(JOB, POOL, 12)),
                new Sample<>(JOB_EVENTS, new JobAssigned(JOB, POOL, VM, 1)),
                new Sample<>(JOB_EVENTS, new JobStarted(JOB, POOL, VM, 1, T)),
                new Sample<>(JOB_EVENTS, new JobProgressed(JOB, POOL, 1, 25000, T.plusSeconds(50))),
                new Sample<>(JOB_EVENTS, new JobRequeued(JOB, POOL, 2, "VM lost", 13, T.plusSeconds(3))),
                new Sample<>(JOB_EVENTS, new JobFinished(JOB, POOL, 2, RESULTS, 32561, T.plusSeconds(60), T.plusSeconds(58))),
                new Sample<>(JOB_EVENTS, new JobFailed(JOB, POOL, 1, "line 7, column 'age': 'abc' is not a number",
                        T.plusSeconds(5), T.plusSeconds(4))),
                new Sample<>(JOB_EVENTS, new JobCancelled(JOB, POOL, "pool deleted", T.plusSeconds(5))),
                new Sample<>(ASSIGNMENTS, new AssignJob(VM, JOB, 1, spec())),
                new Sample<>(ASSIGNMENTS, new RevokeJob(VM, JOB, 1, "cancelled")),
                new Sample<>(ASSIGNMENTS, new CommitResults(VM, JOB, 1)),
                new Sample<>(JOB_REPORTS, new AttemptStarted(JOB, POOL, VM, 1)),
                new Sample<>(JOB_REPORTS, new AttemptProgressed(JOB, POOL, VM, 1, 25000)),
                new Sample<>(JOB_REPORTS, new AttemptSucceeded(JOB, POOL, VM, 1, 32561)),
                new Sample<>(JOB_REPORTS, new AttemptFailed(JOB, POOL, VM, 1, "input blob testint/data.csv not found", false)),
                new Sample<>(JOB_REPORTS, new ResultsCommitted(JOB, POOL, VM, 1, RESULTS)),
                new Sample<>(SLOT_EVENTS, new VmBusy(POOL, VM)),
                new Sample<>(SLOT_EVENTS, new VmIdle(POOL, VM)),
                new Sample<>(MODELS, ModelPublished.of(SERVICE, ACCOUNT, 3,
                        "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "foo".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void every_event_type_matches_its_golden_file_both_ways() throws IOException {
        for (Sample<?> sample : samples()) {
            check(sample);
        }
    }

    private <M extends Message> void check(Sample<M> sample) throws IOException {
        Envelope<M> envelope = Envelope.of(sample.payload(), 7, T).withEventId("00000000000000000000000000000001");
        String name = envelope.type();
        writeIfNew(name, sample.codec().encode(envelope));
        String golden = golden(name);
        JsonNode expected = EventCodec.MAPPER.readTree(golden);
        JsonNode actual = EventCodec.MAPPER.readTree(sample.codec().encode(envelope));
        assertThat(actual).as("encoding of %s", name).isEqualTo(expected);
        Envelope<M> decoded = sample.codec().decode(golden.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded).as("decoding of golden %s", name).isEqualTo(envelope);
    }

    @Test
    void every_permitted_type_has_a_sample() {
        Set<String> sampled = samples().stream().map(s -> s.payload().getClass().getSimpleName())
                .collect(Collectors.toSet());
        List<String> all = new ArrayList<>();
        for (Class<?> family : List.of(PoolCommand.class, PoolEvent.class, VmEvent.class, ProvisionerCommand.class,
                VmReport.class, JobCommand.class, JobEvent.class, Assignment.class, JobReport.class, SlotEvent.class,
                ServiceModelEvent.class)) {
            Arrays.stream(family.getPermittedSubclasses()).map(Class::getSimpleName).forEach(all::add);
        }
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(all);
    }

    /** {@code -Dgolden.write=true} writes the golden file of a NEW type (never overwrites: a change must be made by hand). */
    static void writeIfNew(String type, byte[] encoded) throws IOException {
        java.nio.file.Path file = java.nio.file.Path.of("src/test/resources/golden", type + ".json");
        if (Boolean.getBoolean("golden.write") && !java.nio.file.Files.exists(file)) {
            java.nio.file.Files.writeString(file, EventCodec.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(EventCodec.MAPPER.readTree(encoded)) + "\n");
            throw new AssertionError("wrote new golden file " + file + ": review it, then run again");
        }
    }

    static String golden(String type) throws IOException {
        try (InputStream in = GoldenWireFormatTest.class.getResourceAsStream("/golden/" + type + ".json")) {
            assertThat(in).as("golden file golden/%s.json", type).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
