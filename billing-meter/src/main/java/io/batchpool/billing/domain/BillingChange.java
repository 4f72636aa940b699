package io.batchpool.billing.domain;

/**
 * What one consumed record changes in the billing database: a VM interval ({@link IntervalChange}, from
 * {@code vm-events}) or a classic job run ({@link RunChange}, from {@code job-events}). Every change is idempotent by
 * construction, so applying a record twice changes nothing.
 */
public sealed interface BillingChange permits IntervalChange, RunChange {
}
