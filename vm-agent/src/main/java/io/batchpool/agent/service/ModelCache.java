package io.batchpool.agent.service;

import io.batchpool.agent.config.AgentConfig;
import io.batchpool.scoring.OnnxModel;
import io.batchpool.scoring.ScoringException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models of web service versions, read from {@code <model-dir>/<serviceId>/<version>/model.onnx} and loaded
 * once each; a small LRU keeps the loaded ones. An evicted model is closed when the last attempt using it ends.
 *
 * <p>Model distribution from the gateway to the agents does not exist yet: the next step has the gateway publish
 * registered models through Kafka and the agent write them into this directory. Until then something else (a test,
 * an operator) puts the files there.
 */
@ApplicationScoped
public class ModelCache {
    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    /** The model of a job's web service version is not on this VM. */
    public static final class ModelUnavailableException extends Exception {
        public ModelUnavailableException(String serviceId, int version) {
            super("model of web service " + serviceId + " version " + version + " is not available on this VM");
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

    private final Path root;
    private final int capacity;
    private final Map<String, Entry> loaded = new LinkedHashMap<>(16, 0.75f, true);

    @Inject
    public ModelCache(AgentConfig config) {
        this(Path.of(config.modelDir()), config.modelCacheSize());
    }

    ModelCache(Path root, int capacity) {
        this.root = root;
        this.capacity = Math.max(1, capacity);
    }

    public Path root() {
        return root;
    }

    /** Where the model of this web service version is expected. */
    public Path modelFile(String serviceId, int version) {
        return root.resolve(safeSegment(serviceId)).resolve(Integer.toString(version)).resolve("model.onnx");
    }

    /**
     * The model of this web service version, loaded once. Loading happens under the cache's lock (models are
     * small; a second attempt for the same version waits for the first load instead of loading it again).
     */
    public synchronized Lease acquire(String serviceId, int version)
            throws ModelUnavailableException, ScoringException, IOException {
        String key = serviceId + "/" + version;
        Entry entry = loaded.get(key);
        if (entry == null) {
            Path file = modelFile(serviceId, version);
            if (!Files.isRegularFile(file)) {
                throw new ModelUnavailableException(serviceId, version);
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
