package io.batchpool.contracts;

import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.ResizePool;
import io.batchpool.contracts.vm.VmEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {
    final EventCodec<PoolCommand> codec = new EventCodec<>(PoolCommand.class);

    @Test
    void unknown_fields_are_ignored_so_additive_changes_do_not_break_readers() {
        String json = """
                {"type":"ResizePool","schemaVersion":2,"eventId":"e1","aggregateId":"p1","sequence":3,
                 "occurredAt":"2026-11-26T10:00:00Z","newTopLevel":true,"data":{"poolId":"p1","targetVms":4,"reason":"x"}}""";
        Envelope<PoolCommand> e = codec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(e.data()).isEqualTo(new ResizePool("p1", 4));
        assertThat(e.schemaVersion()).isEqualTo(2);
        assertThat(e.sequence()).isEqualTo(3);
    }

    @Test
    void unknown_type_wrong_topic_and_garbage_are_decode_errors() {
        String vmEvent = new String(new EventCodec<>(VmEvent.class).encode(Envelope.of(
                new io.batchpool.contracts.vm.VmDrainStarted("p", "v"), 1, Instant.EPOCH)), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(vmEvent.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("unknown type 'VmDrainStarted'");
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> codec.decode("""
                {"type":"ResizePool","eventId":"e","aggregateId":"p","sequence":1,"occurredAt":"2026-11-26T10:00:00Z",
                 "data":{"poolId":"p"}}""".getBytes(StandardCharsets.UTF_8)))
                .as("a missing primitive is an error, not a silent 0").isInstanceOf(DecodeException.class);
    }

    @Test
    void ids_are_32_lowercase_hex() {
        String id = Ids.newId();
        assertThat(Ids.isValid(id)).isTrue();
        assertThat(id).hasSize(32).matches("[0-9a-f]+");
        assertThat(Ids.isValid("8DFC151B0D3E446497B845F3B29EF53B")).isFalse();
        assertThat(Ids.isValid("8dfc151b-0d3e-4464-97b8-45f3b29ef53b")).isFalse();
    }
}
