package io.batchpool.blob;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams a ~200 MB blob out through openWrite/commit and back through openRead with the JVM heap capped at 256 MB
 * (surefire argLine): buffering the whole blob anywhere would need far more than the heap has left.
 */
class StreamingTest {
    static final long SIZE = 200L * 1024 * 1024 + 12_345;
    static final long SAMPLE_EVERY = 32L * 1024 * 1024;
    static final String CONTAINER = "bp-stream-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    static BlobStore store;
    static BlobReference ref;

    @BeforeAll
    static void setUp() {
        EndpointPolicy policy = SharedAzurite.policy();
        store = new BlobStore(policy);
        ref = BlobReference.parse(SharedAzurite.connectionString(), null, CONTAINER + "/big/input.csv", null, policy);
        store.createContainerIfMissing(ref);
    }

    @AfterAll
    static void tearDown() {
        if (store != null) {
            store.deleteIfExists(ref);
        }
    }

    @Test
    void twoHundredMegabytesStreamBothWaysUnderA256MegabyteHeap() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertThat(maxHeap).as("the test only proves streaming with a small heap (-Xmx256m)").isLessThanOrEqualTo(256L * 1024 * 1024);
        assertThat(SIZE).isGreaterThan(maxHeap * 3 / 4);
        LiveHeap live = new LiveHeap();

        MessageDigest written = MessageDigest.getInstance("SHA-256");
        long t0 = System.nanoTime();
        StagedBlob staged = store.openWrite(ref, "big");
        try (OutputStream out = staged) {
            SplittableRandom random = new SplittableRandom(42);
            byte[] chunk = new byte[64 * 1024];
            long left = SIZE;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        chunk[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                out.write(chunk, 0, n);
                written.update(chunk, 0, n);
                left -= n;
                if ((SIZE - left) % SAMPLE_EVERY == 0) {
                    live.sample();
                }
            }
        }
        long t1 = System.nanoTime();
        staged.commit();
        long t2 = System.nanoTime();
        assertThat(store.size(ref)).isEqualTo(SIZE);

        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long count = 0;
        try (InputStream in = store.openRead(ref)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) != -1) {
                read.update(buf, 0, n);
                if ((count + n) / SAMPLE_EVERY != count / SAMPLE_EVERY) {
                    live.sample();
                }
                count += n;
            }
        }
        long t3 = System.nanoTime();

        assertThat(count).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
        System.out.printf("streaming %d MB: write %.1f MB/s, commit (block list) %d ms, read %.1f MB/s (timings include"
                        + " %d full GCs); max heap %d MB, largest live heap mid-stream %d MB%n",
                SIZE >> 20, mbPerSecond(SIZE, t1 - t0), (t2 - t1) / 1_000_000, mbPerSecond(SIZE, t3 - t2),
                live.samples(), maxHeap >> 20, live.max() >> 20);
        assertThat(live.samples()).isGreaterThanOrEqualTo(10);
        assertThat(live.max()).as("live heap mid-stream stays far below the blob size").isLessThan(64L * 1024 * 1024);
    }

    private static double mbPerSecond(long bytes, long nanos) {
        return bytes / 1048576.0 / (nanos / 1e9);
    }

    /**
     * The live heap right now: a full collection first (System.gc() is a full, stop-the-world collection in G1 and
     * Serial unless configured otherwise), then what is still in use. Sampled every 32 MB while streaming.
     */
    static final class LiveHeap {
        private long max;
        private int samples;

        void sample() {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            max = Math.max(max, used);
            samples++;
        }

        long max() {
            return max;
        }

        int samples() {
            return samples;
        }
    }
}
