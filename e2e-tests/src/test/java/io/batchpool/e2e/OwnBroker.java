package io.batchpool.e2e;

import io.batchpool.kit.TopicBootstrap;
import io.batchpool.testkit.ProjectRoot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A project broker ({@code bin/kafka-broker}) of a test's own, on its own port and data folder, so that the test
 * may SIGKILL it without touching the broker the rest of the run shares. Its data is kept across kills and starts.
 */
final class OwnBroker {
    private final int port;
    private final Path dir;

    OwnBroker(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts it with an empty log and creates the contract's topics. */
    void startFresh() {
        run("reset");
        start();
        TopicBootstrap.ensureTopics(bootstrap(), (short) 1);
    }

    /** Starts it on the log it had (returns once the broker logged "Kafka Server started"). */
    void start() {
        run("start");
    }

    void stop() {
        run("stop");
    }

    /** SIGKILL: nothing is flushed or closed; the data folder stays as the kill left it. */
    void kill() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("broker.pid")).trim());
            ProcessHandle broker = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("broker not running"));
            broker.destroyForcibly();
            broker.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot kill the broker of " + dir, e);
        }
    }

    private void run(String command) {
        Path root = ProjectRoot.find();
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("bin/kafka-broker").toString(), command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).directory(root.toFile());
            pb.environment().put("BATCHPOOL_KAFKA_PORT", Integer.toString(port));
            pb.environment().put("BATCHPOOL_KAFKA_DIR", dir.toString());
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("bin/kafka-broker " + command + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run bin/kafka-broker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
