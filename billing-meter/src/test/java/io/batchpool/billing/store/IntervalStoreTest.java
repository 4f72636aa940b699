package io.batchpool.billing.store;

import io.batchpool.billing.BillingTestSupport.Pool;
import io.batchpool.billing.domain.IntervalChange;
import io.batchpool.billing.domain.VmInterval;
import io.batchpool.billing.store.IntervalStore.BatchResult;
import io.batchpool.billing.store.IntervalStore.PendingRecord;
import io.batchpool.contracts.Topics;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.batchpool.billing.BillingTestSupport.at;
import static io.batchpool.billing.BillingTestSupport.awaitReady;
import static io.batchpool.billing.BillingTestSupport.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Intervals and offsets move together in one transaction; re-processing stored offsets changes nothing. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "batchpool_test_billing_meter"))
class IntervalStoreTest {

    @Inject
    IntervalStore store;

    @Test
    void theConsumerStoresItsOffsetWithTheIntervalsAndIgnoresARecordAtOrBelowIt() {
        awaitReady();
        Pool pool = new Pool();
        String vm = id();
        RecordMetadata provisioned = pool.publish(pool.provisioned(vm, 0));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> store.poolIntervals(pool.poolId).size() == 1);
        long stored = store.lastOffsets(Topics.VM_EVENTS).get(provisioned.partition());
        assertThat(stored).isGreaterThanOrEqualTo(provisioned.offset());

        // the same record handled again (a redelivery after a crash): a change that would close the VM is ignored
        BatchResult again = store.store(Topics.VM_EVENTS, provisioned.partition(), List.of(
                new PendingRecord(provisioned.offset(), new IntervalChange.Close(pool.poolId, vm, at(3)))));

        assertThat(again.applied()).isZero();
        assertThat(again.changedRows()).isZero();
        assertThat(store.poolIntervals(pool.poolId)).singleElement().satisfies(i -> assertThat(i.isOpen()).isTrue());
        assertThat(store.lastOffsets(Topics.VM_EVENTS).get(provisioned.partition())).isGreaterThanOrEqualTo(stored);
    }

    @Test
    void batchesAdvanceTheOffsetAndReplaysChangeNothing() {
        // a topic of its own, so that these offsets never steer the real consumer
        String topic = "test.billing-meter.store-" + id();
        String poolId = id();
        String vm = id();
        VmInterval opened = VmInterval.open(vm, poolId, "account", "plan", 2, at(0));
        List<PendingRecord> batch = List.of(
                new PendingRecord(0, new IntervalChange.Open(opened)),
                new PendingRecord(1, null), // e.g. a VmRequested or an undecodable record: offset still advances
                new PendingRecord(2, new IntervalChange.Close(poolId, vm, at(2))));

        BatchResult first = store.store(topic, 0, batch);
        assertThat(first).isEqualTo(new BatchResult(-1, 2, 3, 2));
        assertThat(store.lastOffsets(topic)).containsEntry(0, 2L).hasSize(1);

        BatchResult replay = store.store(topic, 0, batch);
        assertThat(replay).isEqualTo(new BatchResult(2, 2, 0, 0));

        // newer offsets with duplicate facts: applied (the offset moves) but the interval is unchanged
        BatchResult duplicates = store.store(topic, 0, List.of(
                new PendingRecord(2, new IntervalChange.Close(poolId, vm, at(9))),
                new PendingRecord(3, new IntervalChange.Open(VmInterval.open(vm, poolId, "account", "plan", 2, at(1)))),
                new PendingRecord(4, new IntervalChange.Close(poolId, vm, at(5)))));
        assertThat(duplicates).isEqualTo(new BatchResult(2, 4, 2, 0));
        assertThat(store.lastOffsets(topic)).containsEntry(0, 4L);

        assertThat(store.poolIntervals(poolId)).containsExactly(opened.withEnd(at(2)));
        // another partition of the same topic has its own offset
        assertThat(store.store(topic, 1, List.of(new PendingRecord(0, null)))).isEqualTo(new BatchResult(-1, 0, 1, 0));
        assertThat(store.lastOffsets(topic)).containsEntry(0, 4L).containsEntry(1, 0L);
    }

    @Test
    void aVmSeenAfterItsLossExtendsItsClosedIntervalLaterOnlyAndOnce() {
        String topic = "test.billing-meter.store-" + id();
        String poolId = id();
        String vm = id();
        VmInterval opened = VmInterval.open(vm, poolId, "account", "plan", 1, at(0));
        BatchResult result = store.store(topic, 0, List.of(
                new PendingRecord(0, new IntervalChange.Extend(poolId, vm, at(1))), // nothing to extend yet
                new PendingRecord(1, new IntervalChange.Open(opened)),
                new PendingRecord(2, new IntervalChange.Extend(poolId, vm, at(1))), // still open: nothing
                new PendingRecord(3, new IntervalChange.Close(poolId, vm, at(2))),
                new PendingRecord(4, new IntervalChange.Extend(poolId, vm, at(5))),
                new PendingRecord(5, new IntervalChange.Extend(poolId, vm, at(4))), // earlier: nothing
                new PendingRecord(6, new IntervalChange.Extend("other-pool", vm, at(9)))));
        assertThat(result.changedRows()).isEqualTo(3);
        assertThat(store.poolIntervals(poolId)).containsExactly(opened.withEnd(at(5)));
    }

    @Test
    void aDeletionStampedBeforeTheProvisioningEndsTheIntervalAtItsStart() {
        String topic = "test.billing-meter.store-" + id();
        String poolId = id();
        String vm = id();
        store.store(topic, 0, List.of(
                new PendingRecord(0, new IntervalChange.Open(VmInterval.open(vm, poolId, null, null, 1, at(5)))),
                new PendingRecord(1, new IntervalChange.Close(poolId, vm, at(4)))));

        assertThat(store.poolIntervals(poolId)).singleElement()
                .satisfies(i -> assertThat(i.end()).isEqualTo(at(5)));
    }
}
