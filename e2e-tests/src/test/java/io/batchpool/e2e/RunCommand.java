package io.batchpool.e2e;

import io.batchpool.testkit.ProjectRoot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * README's run command ({@code bin/run}) as a process of the test, on fixed ports ({@link #BASE}.., broker
 * {@link #KAFKA_PORT}, Azurite 10000), so only one test at a time may use it. Its output is echoed and kept.
 */
final class RunCommand implements AutoCloseable {
    static final int BASE = 28080;
    static final int KAFKA_PORT = 29092;
    static final String OPERATOR_KEY = "operator-dev-key";
    static final List<String> SERVICES = List.of("api-gateway", "pool-manager", "job-dispatcher", "billing-meter",
            "vm-agent");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(1))
            .build();

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final Path runDir;
    final long startupMillis;

    private RunCommand(Path runDir, Map<String, String> env, String... args) throws Exception {
        Path root = ProjectRoot.find();
        this.runDir = runDir;
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("bin/run").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().putAll(Map.of("BATCHPOOL_PORT_BASE", Integer.toString(BASE),
                "BATCHPOOL_KAFKA_PORT", Integer.toString(KAFKA_PORT), "BATCHPOOL_RUN_DIR", runDir.toString(),
                "BATCHPOOL_BUILD", "never"));
        pb.environment().putAll(env);
        long started = System.nanoTime();
        process = pb.start();
        process.getOutputStream().close();
        CompletableFuture<Long> up = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    System.out.println("[bin/run] " + line);
                    if (line.startsWith("Press Ctrl-C")) { // the last line of the banner
                        up.complete((System.nanoTime() - started) / 1_000_000);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            up.completeExceptionally(new IllegalStateException("bin/run ended before the system was up"));
        }, "bin/run output");
        reader.setDaemon(true);
        reader.start();
        try {
            startupMillis = up.get(240, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Starts {@code bin/run args...} and waits for its banner. */
    static RunCommand start(Path runDir, Map<String, String> env, String... args) throws Exception {
        return new RunCommand(runDir, env, args);
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    static String gateway() {
        return "http://127.0.0.1:" + BASE;
    }

    static int port(String service) {
        return BASE + SERVICES.indexOf(service);
    }

    /** The service's JVM: a descendant of bin/run running that module's jar. */
    ProcessHandle service(String name) {
        String jar = name + "/target/quarkus-app/quarkus-run.jar";
        return process.descendants().filter(p -> p.info().arguments().map(a -> List.of(a).contains(jar)
                || Stream.of(a).anyMatch(x -> x.endsWith("/" + jar))).orElse(false)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no process of " + name + " under bin/run"));
    }

    static boolean ready(String service) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(service) + "/q/health/ready"))
                    .timeout(java.time.Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The lines at level ERROR in the services' logs of a run directory, prefixed with the service's name. */
    static List<String> errorLines(Path runDir) {
        return errorLinesIn(runDir.resolve("logs"));
    }

    /** The ERROR lines of the services' logs ({@code <service>.log}) in {@code logDir}. */
    static List<String> errorLinesIn(Path logDir) {
        List<String> errors = new ArrayList<>();
        for (String s : SERVICES) {
            Path log = logDir.resolve(s + ".log");
            if (!Files.exists(log)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                lines.filter(l -> l.matches("^\\S+ \\S+ ERROR .*")).forEach(l -> errors.add(s + ": " + l));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return errors;
    }

    /** SIGTERM, as Ctrl-C: bin/run stops every service, the broker and Azurite. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }
}
