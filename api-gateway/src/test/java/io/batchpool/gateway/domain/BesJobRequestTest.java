package io.batchpool.gateway.domain;

import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.gateway.domain.BesJobRequest.Raw;
import io.batchpool.gateway.domain.BesJobRequest.Reference;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shape rules of a BatchExecutionRequest, and start/cancel decided on the job's record. */
class BesJobRequestTest {
    static final Reference IN = new Reference("UseDevelopmentStorage=true", null, "c/in.csv", null);
    static final Reference OUT = new Reference("UseDevelopmentStorage=true", null, "c/out.csv", null);
    static final List<ServiceParameter> PARAMS = List.of(new ServiceParameter("Threshold", null),
            new ServiceParameter("Mode", "fast"));

    static Checked<BesJobRequest> check(Raw raw) {
        return BesJobRequest.check(raw, PARAMS);
    }

    static String rejection(Checked<BesJobRequest> c) {
        assertThat(c).isInstanceOf(Checked.Rejected.class);
        return ((Checked.Rejected<BesJobRequest>) c).rejection().code() + ": "
                + ((Checked.Rejected<BesJobRequest>) c).rejection().message();
    }

    @Test
    void defaultsFillTheParametersAndTheSingleInputIsInput1() {
        Checked<BesJobRequest> c = check(new Raw(null, IN, Map.of("output1", OUT), Map.of("Threshold", "0.7"), ""));
        BesJobRequest r = ((Checked.Ok<BesJobRequest>) c).value();
        assertThat(r.inputs()).containsOnlyKeys(BesJobRequest.SINGLE_INPUT_NAME);
        assertThat(r.globalParameters()).containsExactly(Map.entry("Threshold", "0.7"), Map.entry("Mode", "fast"));
        assertThat(r.poolId()).as("an empty AzureBatchPoolId is a classic job").isNull();
    }

    @Test
    void rejectionsSayWhatIsWrong() {
        Map<String, String> p = Map.of("Threshold", "1");
        Map<String, Reference> out = Map.of("output1", OUT);
        Map<String, Reference> two = new LinkedHashMap<>();
        two.put("a", IN);
        two.put("b", IN);
        Map<String, Reference> nullRef = new LinkedHashMap<>();
        nullRef.put("input1", null);
        assertThat(rejection(BesJobRequest.check(null, PARAMS))).startsWith("InvalidRequest");
        assertThat(rejection(check(new Raw(null, null, out, p, null)))).contains("Inputs is required");
        assertThat(rejection(check(new Raw(two, null, out, p, null)))).contains("one input");
        assertThat(rejection(check(new Raw(Map.of("input1", IN), IN, out, p, null)))).contains("not both");
        assertThat(rejection(check(new Raw(nullRef, null, out, p, null)))).contains("not null");
        assertThat(rejection(check(new Raw(Map.of("in/put", IN), null, out, p, null)))).contains("not a valid name");
        assertThat(rejection(check(new Raw(null, IN, null, p, null)))).contains("Outputs is required");
        assertThat(rejection(check(new Raw(null, IN, Map.of("o", new Reference(null, null, "c/m.ilearner", null)), p, null))))
                .contains(".csv");
        assertThat(rejection(check(new Raw(null, IN, out, Map.of(), null)))).contains("Threshold is required");
        assertThat(rejection(check(new Raw(null, IN, out, Map.of("Threshold", "1", "X", "2"), null))))
                .contains("X is not a parameter").contains("Threshold, Mode");
        assertThat(rejection(check(new Raw(null, IN, out, p, "POOL")))).startsWith("PoolNotFound");
    }

    @Test
    void startAndCancelAreDecidedOnTheRecord() {
        JobRecord created = new JobRecord("j", "q", JobState.CREATED, false, false, 1);
        Decision<JobCommand> start = created.start();
        assertThat(start).isEqualTo(Decision.accept(new StartJob("j", "q")));
        JobRecord started = created.apply(new StartJob("j", "q"));
        assertThat(started.commandSequence()).isEqualTo(2);
        assertThat(started.start()).as("a repeated start").isInstanceOf(Decision.Unchanged.class);
        assertThat(new JobRecord("j", "q", JobState.RUNNING, true, false, 2).start()).isInstanceOf(Decision.Unchanged.class);
        assertThat(started.cancel()).isEqualTo(Decision.accept(new CancelJob("j", "q")));
        JobRecord cancelling = started.apply(new CancelJob("j", "q"));
        assertThat(cancelling.cancel()).isInstanceOf(Decision.Unchanged.class);
        assertThat(cancelling.start()).as("no start after a cancel").isInstanceOf(Decision.Unchanged.class);
        for (JobState ended : List.of(JobState.FINISHED, JobState.FAILED, JobState.CANCELLED)) {
            JobRecord r = new JobRecord("j", "q", ended, true, false, 2);
            assertThat(r.start()).isInstanceOf(Decision.Rejected.class);
            assertThat(((Decision.Rejected<JobCommand>) r.cancel()).rejection().code()).isEqualTo(ErrorCode.JobEnded);
        }
    }

    @Test
    void aClientIsShownWhatTheGatewayAcceptedWhileTheViewLags() {
        JobRecord created = new JobRecord("j", "q", JobState.CREATED, false, false, 1);
        assertThat(created.shownState()).isEqualTo(JobState.CREATED);
        assertThat(created.cancelling()).isFalse();
        JobRecord started = created.apply(new StartJob("j", "q"));
        assertThat(started.shownState()).as("started, JobQueued not in the view yet").isEqualTo(JobState.QUEUED);
        assertThat(new JobRecord("j", "q", JobState.RUNNING, true, false, 2).shownState())
                .as("a later state of the view wins").isEqualTo(JobState.RUNNING);
        JobRecord cancelled = started.apply(new CancelJob("j", "q"));
        assertThat(cancelled.cancelling()).isTrue();
        assertThat(created.apply(new CancelJob("j", "q")).cancelling()).isTrue();
        assertThat(new JobRecord("j", "q", JobState.CANCELLED, true, true, 3).cancelling()).isFalse();
        assertThat(new JobRecord("j", "q", JobState.FINISHED, true, true, 3).shownState()).isEqualTo(JobState.FINISHED);
    }
}
