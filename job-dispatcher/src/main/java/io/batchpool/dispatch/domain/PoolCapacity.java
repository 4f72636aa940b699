package io.batchpool.dispatch.domain;

/**
 * The slot capacity of one pool.
 *
 * @param vms         VMs the pool has on the board (READY or DRAINING)
 * @param slotsTotal  slots of those VMs
 * @param slotsFree   slots that can take a new job (READY VMs only; no job runs yet)
 * @param vmsDraining VMs that take no new job and are deleted once their jobs finish
 */
public record PoolCapacity(String poolId, int vms, int slotsTotal, int slotsFree, int vmsDraining) {
}
