package io.batchpool.pool.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.vm.ProvisionerCommand;

import java.util.List;

/**
 * What a request handler decided: the pool and VM events to append (in order; apply them with
 * {@link PoolFleet#apply}) and the provisioner commands to send. Deciding changes nothing.
 */
public record Decision(List<Envelope<Message>> events, List<ProvisionerCommand> provisionerCommands) {
    public static final Decision NONE = new Decision(List.of(), List.of());

    public boolean isEmpty() {
        return events.isEmpty() && provisionerCommands.isEmpty();
    }

    public Decision plus(Decision other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Envelope<Message>> e = new java.util.ArrayList<>(events);
        e.addAll(other.events);
        List<ProvisionerCommand> c = new java.util.ArrayList<>(provisionerCommands);
        c.addAll(other.provisionerCommands);
        return new Decision(List.copyOf(e), List.copyOf(c));
    }
}
