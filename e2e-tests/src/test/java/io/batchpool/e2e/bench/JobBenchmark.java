package io.batchpool.e2e.bench;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.e2e.Accounts;
import io.batchpool.e2e.BatchpoolSystem;
import io.batchpool.e2e.Bes;
import io.batchpool.e2e.Http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The BES job benchmark (not a test; run by {@code bin/bench-jobs}). Starts the whole system as processes (the e2e
 * harness) and prints: submissions accepted per second through the gateway (each one durably recorded before the
 * answer), on an idle pool the time from submit+start to the job running, with a backlog the time from a slot
 * freeing to the next job starting, tiny jobs completed per second through many slots, and rows scored per second
 * by one VM. Times of starts and ends come from the job events (one clock: one machine).
 */
public final class JobBenchmark {
    private JobBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int submitSeconds = Integer.getInteger("bench.submit-seconds", 10);
        int clients = Integer.getInteger("bench.clients", 32);
        int idleJobs = Integer.getInteger("bench.idle-jobs", 100);
        int backlogJobs = Integer.getInteger("bench.backlog-jobs", 100);
        int tinyJobs = Integer.getInteger("bench.tiny-jobs", 1000);
        int rows = Integer.getInteger("bench.rows", 200_000);

        BatchpoolSystem system = BatchpoolSystem.get();
        String largeGb = System.getProperty("bench.large-gb");
        if (largeGb != null) { // only the large-input check (run with the e2e JVM options: 256 MB heaps)
            LargeInputCheck.run(system, Double.parseDouble(largeGb));
            System.exit(0);
        }
        Accounts.Account account = Accounts.create(system, 10, 64);
        Bes.Service service = Bes.register(account, "new");
        Bes.upload("bench-1.csv", 1);
        Bes.upload("bench-rows.csv", rows);
        System.out.printf("%nBatchpool job benchmark (%d cores)%n", Runtime.getRuntime().availableProcessors());
        Map<String, Double> results = new LinkedHashMap<>();

        // 1. submissions per second (jobs are created, not started: this measures admission only), after a warm-up
        // of the same load (the JIT compiles the path first); with bench.jfr-dir the gateway's JFR profile of the window
        String parked = Accounts.createPool(account, 0, "plan-bench");
        Map<String, Object> parkedRequest = Bes.request("bench-1.csv", "bench/out.csv", parked);
        long gatewayPid = system.service("api-gateway").pid();
        submitLoad(service, parkedRequest, clients, Integer.getInteger("bench.warmup-seconds", 5));
        String jfrDir = System.getProperty("bench.jfr-dir");
        if (jfrDir != null) {
            jcmd(gatewayPid, "JFR.start", "name=bench", "settings=profile");
        }
        long dispatcherPid = system.service("job-dispatcher").pid();
        long clientPid = ProcessHandle.current().pid();
        long[] cpuBefore = {cpuTicks(gatewayPid), machineBusyTicks(), databaseTicks("batchpool_bench_gateway"),
                cpuTicks(dispatcherPid), cpuTicks(clientPid)};
        SubmitLoad load = submitLoad(service, parkedRequest, clients, submitSeconds);
        double gatewayCpuMs = (cpuTicks(gatewayPid) - cpuBefore[0]) * 1000.0 / TICKS_PER_SECOND;
        double databaseCpuMs = (databaseTicks("batchpool_bench_gateway") - cpuBefore[2]) * 1000.0 / TICKS_PER_SECOND;
        double dispatcherCpuMs = (cpuTicks(dispatcherPid) - cpuBefore[3]) * 1000.0 / TICKS_PER_SECOND;
        double clientCpuMs = (cpuTicks(clientPid) - cpuBefore[4]) * 1000.0 / TICKS_PER_SECOND;
        double machineBusy = (machineBusyTicks() - cpuBefore[1]) / (double) TICKS_PER_SECOND
                / (load.seconds() * Runtime.getRuntime().availableProcessors());
        if (jfrDir != null) {
            jcmd(gatewayPid, "JFR.stop", "name=bench", "filename=" + java.nio.file.Path.of(jfrDir)
                    .toAbsolutePath().resolve("api-gateway-submit.jfr"));
        }
        long accepted = load.accepted();
        System.out.printf("submissions: %d accepted in %.1f s = %.0f /s (%d clients; %d refused); latency p50 %.1f ms, "
                        + "p99 %.1f ms%n", accepted, load.seconds(), accepted / load.seconds(), clients,
                load.refused(), percentile(load.latencies(), 50) / 1e6, percentile(load.latencies(), 99) / 1e6);
        // CPU time per accepted submit of the gateway process and of its database's backends, and how busy the whole
        // machine (load generator included) was meanwhile
        long per = Math.max(1, accepted);
        System.out.printf("  CPU per accepted submit: gateway %.3f ms, its PostgreSQL backends %.3f ms, job-dispatcher "
                + "%.3f ms, this load generator %.3f ms; all cores %.0f%% busy meanwhile%n", gatewayCpuMs / per,
                databaseCpuMs / per, dispatcherCpuMs / per, clientCpuMs / per, machineBusy * 100);
        results.put("submit.rate", accepted / load.seconds());
        results.put("submit.p50", percentile(load.latencies(), 50) / 1e6);
        results.put("submit.p99", percentile(load.latencies(), 99) / 1e6);
        results.put("submit.gateway-cpu-ms", gatewayCpuMs / Math.max(1, accepted));
        results.put("submit.database-cpu-ms", databaseCpuMs / Math.max(1, accepted));
        results.put("submit.client-cpu-ms", clientCpuMs / Math.max(1, accepted));

        if ("submit".equals(System.getProperty("bench.only"))) {
            writeResults(results);
            System.exit(0);
        }

        // 2. idle pool: submit + start to running, one job at a time
        String idle = Accounts.createPool(account, 2, "plan-bench");
        awaitReady(account, idle, 2);
        Map<String, Instant> submittedAt = new HashMap<>();
        for (int i = 0; i < idleJobs; i++) {
            Instant t0 = Instant.now();
            String job = Bes.submit(service, Bes.request("bench-1.csv", "bench/idle-" + i + ".csv", idle));
            Bes.start(service, job);
            submittedAt.put(job, t0);
            awaitEnded(service, job);
        }
        List<Long> idleToStart = new ArrayList<>();
        for (Envelope<JobEvent> e : Bes.jobEvents(idle)) {
            if (e.data() instanceof JobStarted s && submittedAt.containsKey(s.jobId())) {
                idleToStart.add(Duration.between(submittedAt.get(s.jobId()), s.startedAt()).toNanos());
            }
        }
        System.out.printf("idle pool, submit+start -> running: p50 %.1f ms, p99 %.1f ms (%d jobs)%n",
                percentile(idleToStart, 50) / 1e6, percentile(idleToStart, 99) / 1e6, idleToStart.size());
        results.put("idle.p50", percentile(idleToStart, 50) / 1e6);
        results.put("idle.p99", percentile(idleToStart, 99) / 1e6);

        // 3. backlog on one slot: a slot freeing (JobFinished) to the next job assigned and started
        String single = Accounts.createPool(account, 1, "plan-bench");
        awaitReady(account, single, 1);
        List<String> backlog = new ArrayList<>();
        for (int i = 0; i < backlogJobs; i++) {
            String job = Bes.submit(service, Bes.request("bench-1.csv", "bench/backlog-" + i + ".csv", single));
            Bes.start(service, job);
            backlog.add(job);
        }
        for (String job : backlog) {
            awaitEnded(service, job);
        }
        List<Long> freeToAssigned = new ArrayList<>();
        List<Long> freeToStarted = new ArrayList<>();
        Instant freedAt = null;
        Instant assignedAt = null;
        boolean first = true;
        for (Envelope<JobEvent> e : Bes.jobEvents(single)) {
            JobEvent ev = e.data();
            if (ev instanceof JobFinished f) {
                freedAt = f.endedAt();
            } else if (ev instanceof JobAssigned) {
                assignedAt = e.occurredAt();
                if (freedAt != null && !first) {
                    freeToAssigned.add(Duration.between(freedAt, assignedAt).toNanos());
                }
            } else if (ev instanceof JobStarted s) {
                if (freedAt != null && !first) {
                    freeToStarted.add(Duration.between(freedAt, s.startedAt()).toNanos());
                }
                first = false;
            }
        }
        System.out.printf("backlog, slot freed -> next assigned: p50 %.1f ms, p99 %.1f ms; -> next running: p50 %.1f ms, "
                        + "p99 %.1f ms (%d gaps)%n", percentile(freeToAssigned, 50) / 1e6, percentile(freeToAssigned, 99) / 1e6,
                percentile(freeToStarted, 50) / 1e6, percentile(freeToStarted, 99) / 1e6, freeToStarted.size());
        results.put("backlog.assigned.p50", percentile(freeToAssigned, 50) / 1e6);
        results.put("backlog.assigned.p99", percentile(freeToAssigned, 99) / 1e6);
        results.put("backlog.running.p50", percentile(freeToStarted, 50) / 1e6);
        results.put("backlog.running.p99", percentile(freeToStarted, 99) / 1e6);

        // 4. tiny jobs through many slots
        int vms = Integer.getInteger("bench.tiny-vms", 4);
        String wide = poolWithSlots(account, vms, 8);
        awaitReady(account, wide, vms);
        Instant begin = Instant.now();
        ExecutorService submitters = Executors.newFixedThreadPool(clients);
        List<String> tiny = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < tinyJobs; i++) {
            int n = i;
            submitters.submit(() -> {
                String job = Bes.submit(service, Bes.request("bench-1.csv", "bench/tiny-" + n + ".csv", wide));
                Bes.start(service, job);
                tiny.add(job);
                return null;
            });
        }
        submitters.shutdown();
        submitters.awaitTermination(10, TimeUnit.MINUTES);
        for (String job : tiny) {
            awaitEnded(service, job);
        }
        Instant last = begin;
        int finished = 0;
        for (Envelope<JobEvent> e : Bes.jobEvents(wide)) {
            if (e.data() instanceof JobFinished f) {
                finished++;
                last = f.endedAt().isAfter(last) ? f.endedAt() : last;
            }
        }
        double seconds = Duration.between(begin, last).toNanos() / 1e9;
        System.out.printf("tiny jobs: %d finished in %.2f s = %.0f jobs/s (%d VMs x 8 slots)%n", finished, seconds,
                finished / seconds, vms);
        results.put("tiny.rate", finished / seconds);

        // 5. rows scored per second by one VM (one job, one slot)
        String job = Bes.submit(service, Bes.request("bench-rows.csv", "bench/rows.csv", single));
        Bes.start(service, job);
        var end = Bes.awaitEnd(service, job, Duration.ofMinutes(10));
        double run = Duration.between(Instant.parse(end.path("StartTime").asText()),
                Instant.parse(end.path("EndTime").asText())).toNanos() / 1e9;
        System.out.printf("one VM scoring %d rows (blob in, blob out, commit): %.2f s = %.0f rows/s; status %s%n",
                end.path("RowsScored").asLong(), run, end.path("RowsScored").asLong() / run, end.path("StatusCode").asText());
        System.out.println("(ONNX Runtime alone on the same rows: bin/bench-scoring, printed next by bin/bench-jobs)");
        results.put("rows.rate", end.path("RowsScored").asLong() / run);
        writeResults(results);
        System.exit(0);
    }

    record SubmitLoad(long accepted, long refused, List<Long> latencies, double seconds) {
    }

    /** {@code clients} threads submitting the same request back to back for {@code seconds}. */
    static SubmitLoad submitLoad(Bes.Service service, Map<String, Object> request, int clients, int seconds)
            throws InterruptedException {
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long begin = System.nanoTime();
        long until = begin + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < until) {
                    long t = System.nanoTime();
                    Http.Response r = Http.post(service.url(""), service.apiKey(), request);
                    latencies.add(System.nanoTime() - t);
                    (r.status() == 200 ? accepted : refused).incrementAndGet();
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
        return new SubmitLoad(accepted.get(), refused.get(), latencies, (System.nanoTime() - begin) / 1e9);
    }

    static void jcmd(long pid, String... command) throws java.io.IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd")
                .toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
    }

    /** CPU time so far of the PostgreSQL backends serving {@code database} (0 off Linux). */
    static long databaseTicks(String database) {
        long ticks = 0;
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            try {
                String cmdline = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/cmdline"));
                if (cmdline.startsWith("postgres: ") && cmdline.contains(" " + database + " ")) {
                    ticks += cpuTicks(p.pid());
                }
            } catch (java.io.IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        return ticks;
    }

    /** Linux clock ticks per second (USER_HZ), the unit of /proc's CPU times. */
    static final long TICKS_PER_SECOND = 100;

    /** User + system CPU time of a process so far, in clock ticks (0 off Linux). */
    static long cpuTicks(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Busy (not idle, not iowait) CPU time of the whole machine so far, in clock ticks (0 off Linux). */
    static long machineBusyTicks() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user .. steal; guest is counted in user already
                busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]); // skip idle and iowait
            }
            return busy;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Each measure as {@code name value} on a line, for bin/bench-jobs' table next to the peer's. */
    static void writeResults(Map<String, Double> results) throws java.io.IOException {
        String file = System.getProperty("bench.results-file");
        if (file != null) {
            StringBuilder lines = new StringBuilder();
            results.forEach((name, value) -> lines.append(name).append(' ').append(String.format(java.util.Locale.ROOT,
                    "%.3f", value)).append('\n'));
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), lines);
        }
    }

    static String poolWithSlots(Accounts.Account account, int vms, int slots) {
        Http.Response r = Http.post(account.poolsUrl(), account.key(), Map.of("vmCount", vms, "billingPlanId",
                "plan-bench", "slotsPerVm", slots));
        if (r.status() != 201) {
            throw new IllegalStateException(r.raw());
        }
        return r.text("poolId");
    }

    static void awaitReady(Accounts.Account account, String pool, int vms) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Accounts.pool(account, pool).body().path("vmsReady").asInt() < vms) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pool " + pool + " not ready");
            }
            Thread.sleep(50);
        }
    }

    static void awaitEnded(Bes.Service service, String job) throws InterruptedException {
        while (true) {
            String code = Bes.status(service, job).path("StatusCode").asText();
            if (code.equals("Finished")) {
                return;
            }
            if (code.equals("Failed") || code.equals("Cancelled")) {
                throw new IllegalStateException("job " + job + " " + Bes.status(service, job));
            }
            Thread.sleep(10);
        }
    }

    static double percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }
}
