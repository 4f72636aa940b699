package io.batchpool.dispatch.domain;

/**
 * The slot capacity of one queue (a pool, or the classic pool).
 *
 * @param vms         VMs that offer or hold slots (READY or DRAINING)
 * @param slotsTotal  slots of those VMs
 * @param slotsFree   slots that can take a new job now (READY VMs, minus busy slots)
 * @param vmsDraining VMs that take no new job and are deleted once their jobs finish
 * @param jobsQueued  jobs waiting in the queue
 */
public record PoolCapacity(String poolId, int vms, int slotsTotal, int slotsFree, int vmsDraining, int jobsQueued) {
}
