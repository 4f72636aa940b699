package io.batchpool.agent.service;

import io.batchpool.agent.config.AgentConfig;
import io.batchpool.scoring.OnnxModel;
import io.batchpool.scoring.ScoringException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.function.BooleanSupplier;

/**
 * The models of web service versions, kept in {@code <model-dir>/<serviceId>/<version>/model.onnx} and loaded once
 * each; a small LRU keeps the loaded ones. An evicted model is closed when the last attempt using it ends.
 *
 * <p>The files are written by the {@link io.batchpool.agent.consumer.ModelConsumer} from the service-models topic
 * ({@link #install}). An attempt may be assigned before its model has arrived (the consumer reads the whole topic at
 * start-up, and a version registered a moment ago may still be on its way): {@link #acquire} then waits up to
 * {@code model-wait} for {@link #install} to announce it.
 */
@ApplicationScoped
public class ModelCache {
    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    /**
     * The model of a job's web service version did not arrive on this VM within {@code model-wait}: another VM (or a
     * later attempt) may have it, so the attempt is retryable.
     */
    public static final class ModelUnavailableException extends Exception {
        public ModelUnavailableException(String serviceId, int version, Duration waited) {
            super("model of web service " + serviceId + " version " + version + " is not available on this VM"
                    + (waited.isZero() ? "" : " (not received within " + waited + ")"));
        }
    }

    /** A loaded model in use by one attempt; close it when the attempt ends. */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public OnnxModel model() {
            return entry.model;
        }

        @Override
        public void close() {
            synchronized (entry.owner) {
                if (!closed) {
                    closed = true;
                    entry.users--;
                    entry.closeIfUnused();
                }
            }
        }
    }

    private static final class Entry {
        final ModelCache owner;
        final OnnxModel model;
        int users;
        boolean evicted;

        Entry(ModelCache owner, OnnxModel model) {
            this.owner = owner;
            this.model = model;
        }

        void closeIfUnused() {
            if (evicted && users == 0) {
                model.close();
            }
        }
    }

    /** Longest single wait for a model: cancellation and files put there by hand are noticed this often. */
    private static final long WAIT_SLICE_MILLIS = 250;

    private final Path root;
    private final int capacity;
    private final Duration modelWait;
    private final Map<String, Entry> loaded = new LinkedHashMap<>(16, 0.75f, true);
    /** Monitor of the attempts waiting for a model; {@link #install} wakes them. Never held while loading. */
    private final Object arrivals = new Object();

    @Inject
    public ModelCache(AgentConfig config) {
        this(Path.of(config.modelDir()), config.modelCacheSize(), config.modelWait());
    }

    ModelCache(Path root, int capacity) {
        this(root, capacity, Duration.ZERO);
    }

    ModelCache(Path root, int capacity, Duration modelWait) {
        this.root = root;
        this.capacity = Math.max(1, capacity);
        this.modelWait = modelWait.isNegative() ? Duration.ZERO : modelWait;
    }

    public Path root() {
        return root;
    }

    /** Where the model of this web service version is expected. */
    public Path modelFile(String serviceId, int version) {
        return root.resolve(safeSegment(serviceId)).resolve(Integer.toString(version)).resolve("model.onnx");
    }

    /** Whether this version's model file is on disk. */
    public boolean isPresent(String serviceId, int version) {
        return Files.isRegularFile(modelFile(serviceId, version));
    }

    /**
     * Writes a model version atomically (a temporary file in the version's directory, then an atomic rename to
     * {@code model.onnx}): a reader sees the whole file or none. Wakes the attempts waiting for a model.
     */
    public void install(String serviceId, int version, byte[] model) throws IOException {
        Path file = modelFile(serviceId, version);
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "model.onnx.", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(model);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true); // the rename must never publish a file whose bytes are not on disk yet
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the model directory " + root + " does not support atomic renames", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
        LOG.infof("model of web service %s version %d written to %s (%d bytes)", serviceId, version, file,
                model.length);
    }

    /** Deletes temporary files that a writer killed mid-way left in the version directories. */
    public int removeLeftovers() {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> files = Files.find(root, 3, (path, attrs) -> attrs.isRegularFile()
                && path.getFileName().toString().startsWith("model.onnx.")
                && path.getFileName().toString().endsWith(".tmp"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
                removed++;
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("could not clean temporary model files under %s: %s", root, e.getMessage());
        }
        return removed;
    }

    /** {@link #acquire(String, int, BooleanSupplier)} that is never cancelled. */
    public Lease acquire(String serviceId, int version) throws ModelUnavailableException, ScoringException, IOException {
        return acquire(serviceId, version, () -> false);
    }

    /**
     * The model of this web service version, loaded once. When its file is not on disk, waits up to
     * {@code model-wait} for {@link #install} (or until {@code cancelled}); the wait is a timeout in real time, not
     * business time. Loading happens under the cache's lock (models are small; a second attempt for the same version
     * waits for the first load instead of loading it again).
     *
     * @throws ModelUnavailableException the model did not arrive in time, or the wait was cancelled
     */
    public Lease acquire(String serviceId, int version, BooleanSupplier cancelled)
            throws ModelUnavailableException, ScoringException, IOException {
        Path file = modelFile(serviceId, version);
        awaitFile(serviceId, version, file, cancelled);
        return load(serviceId, version, file);
    }

    private void awaitFile(String serviceId, int version, Path file, BooleanSupplier cancelled)
            throws ModelUnavailableException {
        if (Files.isRegularFile(file)) {
            return;
        }
        LOG.infof("waiting up to %s for the model of web service %s version %d", modelWait, serviceId, version);
        long deadline = System.nanoTime() + modelWait.toNanos();
        synchronized (arrivals) {
            // install() renames before it takes this monitor to notify: checked under the monitor, no wake-up is lost
            while (!Files.isRegularFile(file)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || cancelled.getAsBoolean()) {
                    throw new ModelUnavailableException(serviceId, version, modelWait);
                }
                try {
                    arrivals.wait(Math.max(1, Math.min(WAIT_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ModelUnavailableException(serviceId, version, modelWait);
                }
            }
        }
    }

    private synchronized Lease load(String serviceId, int version, Path file)
            throws ModelUnavailableException, ScoringException, IOException {
        String key = serviceId + "/" + version;
        Entry entry = loaded.get(key);
        if (entry == null) {
            if (!Files.isRegularFile(file)) {
                throw new ModelUnavailableException(serviceId, version, modelWait);
            }
            entry = new Entry(this, OnnxModel.load(file));
            loaded.put(key, entry);
            LOG.infof("loaded the model of web service %s version %d from %s", serviceId, version, file);
            evictBeyondCapacity();
        }
        entry.users++;
        return new Lease(entry);
    }

    public synchronized int size() {
        return loaded.size();
    }

    public synchronized void close() {
        for (Entry e : loaded.values()) {
            e.evicted = true;
            e.closeIfUnused();
        }
        loaded.clear();
    }

    private void evictBeyondCapacity() {
        Iterator<Map.Entry<String, Entry>> it = loaded.entrySet().iterator();
        while (loaded.size() > capacity && it.hasNext()) {
            Entry eldest = it.next().getValue();
            it.remove();
            eldest.evicted = true;
            eldest.closeIfUnused();
        }
    }

    /** A service id is one path segment: no separators, no dot segments. */
    private static String safeSegment(String id) {
        if (id == null || id.isEmpty() || id.equals(".") || id.equals("..") || id.contains("/") || id.contains("\\")
                || id.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a valid web service id: " + id);
        }
        return id;
    }
}
