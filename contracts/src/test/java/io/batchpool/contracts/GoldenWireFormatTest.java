package io.batchpool.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.pool.*;
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
                new Sample<>(PROVISIONER, new ProvisionVm(VM, POOL, 1)),
                new Sample<>(PROVISIONER, new DeprovisionVm(VM, POOL)),
                new Sample<>(REPORTS, new VmBooted(POOL, VM, "agent-1", 1)),
                new Sample<>(REPORTS, new VmHeartbeat(POOL, VM, "agent-1")),
                new Sample<>(REPORTS, new VmStopped(POOL, VM, "agent-1")));
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
                VmReport.class)) {
            Arrays.stream(family.getPermittedSubclasses()).map(Class::getSimpleName).forEach(all::add);
        }
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(all);
    }

    static String golden(String type) throws IOException {
        try (InputStream in = GoldenWireFormatTest.class.getResourceAsStream("/golden/" + type + ".json")) {
            assertThat(in).as("golden file golden/%s.json", type).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
