package io.batchpool.billing.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The billed intervals by VM id, with the one mutator {@link #apply(IntervalChange)}. The PostgreSQL store
 * implements exactly these rules in SQL ({@code insert ... on conflict do nothing}, {@code update ... where
 * deleted_at is null}); this in-memory form states them and lets tests replay event streams with duplicates.
 */
public final class IntervalBook {
    private final Map<String, VmInterval> byVm = new LinkedHashMap<>();

    /** @return whether the change altered anything (false for duplicates and closes of unknown or closed VMs) */
    public boolean apply(IntervalChange change) {
        if (change instanceof IntervalChange.Open open) {
            return byVm.putIfAbsent(open.vmId(), open.interval()) == null;
        }
        if (change instanceof IntervalChange.Extend extend) {
            VmInterval current = byVm.get(extend.vmId());
            if (current == null || current.isOpen() || !current.poolId().equals(extend.poolId())
                    || !current.end().isBefore(extend.end())) {
                return false;
            }
            byVm.put(extend.vmId(), current.withEnd(extend.end()));
            return true;
        }
        IntervalChange.Close close = (IntervalChange.Close) change;
        VmInterval current = byVm.get(close.vmId());
        if (current == null || !current.isOpen() || !current.poolId().equals(close.poolId())) {
            return false;
        }
        byVm.put(close.vmId(), current.withEnd(close.end()));
        return true;
    }

    public Collection<VmInterval> intervals() {
        return Collections.unmodifiableCollection(new ArrayList<>(byVm.values()));
    }
}
