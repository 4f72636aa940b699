package io.batchpool.agent.rest;

import io.batchpool.agent.domain.LocalVm;
import io.batchpool.agent.domain.LocalVmState;
import io.batchpool.agent.service.LocalProvisioner;
import io.batchpool.rest.InternalApi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;

/** The VMs this process hosts right now (operator key). */
@InternalApi
@Path("/vms")
@Produces(MediaType.APPLICATION_JSON)
public class VmResource {
    private final LocalProvisioner provisioner;

    public VmResource(LocalProvisioner provisioner) {
        this.provisioner = provisioner;
    }

    public record VmView(String vmId, String poolId, LocalVmState state, int slots, Instant bootedAt) {
        static VmView of(LocalVm vm) {
            return new VmView(vm.vmId(), vm.poolId(), vm.state(), vm.slots(), vm.bootedAt());
        }
    }

    @GET
    public List<VmView> list() {
        return provisioner.vms().stream().map(VmView::of).toList();
    }
}
