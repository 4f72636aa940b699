package io.batchpool.blob;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * An attempt's output to a block blob, written as blocks staged on the final blob name (Put Block) and made visible
 * by {@link #commit()} (one Put Block List) when the dispatcher says this attempt is the current one (DESIGN §3).
 * Until then nothing under the name changes: staged blocks are uncommitted, invisible to readers, and if never
 * committed (a revoked or zombie attempt, a crashed VM) they are dropped by the next commit of the blob or expire by
 * themselves after a week. No temporary blob, no copy, no delete: the caller's SAS needs write permission only.
 * <p>
 * Block ids carry the attempt ({@link #blockId}): attempts of one job stage blocks on the same blob side by side, and
 * only the committing attempt's ids are in the list. Azure wants every uncommitted block id of a blob to have one
 * length, so they all have {@value #BLOCK_ID_BYTES} bytes before base64.
 * <p>
 * Memory is bounded: two buffers of one block each, one being filled while the other uploads. A writer faster than
 * the network waits. (The SDK's own {@code BlobOutputStream} queues every written chunk when the writer outpaces the
 * uploads, so its memory grows with the blob; measured in StreamingTest.)
 */
public final class StagedBlob extends OutputStream {
    /** The metadata entry a commit sets: the id of the attempt whose blocks the blob holds. */
    public static final String ATTEMPT_METADATA = "batchpoolattempt";
    /** How often a conditional commit reads and tries again when the blob changed in between. */
    private static final int CONDITIONAL_TRIES = 5;
    /** Length of a block id before base64: Azure's maximum, the same for every attempt. */
    static final int BLOCK_ID_BYTES = 64;
    private static final int INDEX_DIGITS = 9;
    private static final Pattern ATTEMPT_ID = Pattern.compile("[A-Za-z0-9_-]{1," + (BLOCK_ID_BYTES - INDEX_DIGITS - 2) + "}");

    private final BlockBlobClient blob;
    private final String attemptId;
    private final BlobHttpHeaders headers;
    private final Map<String, String> metadata;
    private final ExecutorService uploader;
    private final List<String> blockIds = new ArrayList<>();
    private byte[] filling;
    private byte[] spare;
    private int used;
    private Future<?> inFlight;
    private boolean closed;
    /** Every block staged: close() completed without a failure. */
    private boolean staged;
    private boolean committed;

    StagedBlob(BlockBlobClient blob, String attemptId, int blockBytes, BlobHttpHeaders headers,
               Map<String, String> metadata, ExecutorService uploader) {
        blockId(attemptId, 0); // checks the attempt id before anything is sent
        this.blob = blob;
        this.attemptId = attemptId;
        this.headers = headers;
        this.metadata = metadata;
        this.uploader = uploader;
        this.filling = new byte[blockBytes];
        this.spare = new byte[blockBytes];
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (used == filling.length) {
            stageFilling();
        }
        filling[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (used == filling.length) {
                stageFilling();
            }
            int n = Math.min(len, filling.length - used);
            System.arraycopy(b, off, filling, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    /** Uploads complete blocks only; a partial block waits for more data or for close(). */
    @Override
    public void flush() throws IOException {
        ensureOpen();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (used > 0) {
                stageFilling();
            }
            awaitInFlight();
            staged = true;
        } finally {
            filling = null;
            spare = null;
        }
    }

    /**
     * Makes the staged blocks the blob's content (one Put Block List, with the content type and the metadata
     * {@code batchpoolattempt}), replacing whatever the blob held; the blocks of other attempts are dropped. Only after
     * a successful {@link #close()}; a repeated commit sends the same list again (the same content).
     *
     * @throws BlobStoreException if the storage service refuses (e.g. 403 for a SAS that may not write)
     */
    public void commit() {
        if (!staged) {
            throw new IllegalStateException("nothing to commit: the stream was not closed, or a block failed");
        }
        try {
            blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds)
                    .setHeaders(headers).setMetadata(metadata), null, null);
            committed = true;
        } catch (RuntimeException e) {
            throw failure(e);
        }
    }

    /**
     * Commits unless an attempt of the same job already did (DESIGN §3: a job's output is committed once): a
     * compare-and-set on the blob. It reads the blob's properties: if its {@value #ATTEMPT_METADATA} names an attempt
     * that {@code sameJob} accepts, that attempt's output is already the blob and nothing is sent; otherwise one Put
     * Block List conditional on the version read (If-Match its ETag, or If-None-Match * for no blob), tried again
     * with a fresh read if the blob changed in between. So of two attempts of one job, in any order and at any time,
     * one commits and the other finds it; an earlier commit of another job (the same output name) is replaced. A
     * reference that may not read the blob (a write-only SAS: 403) commits unconditionally, as {@link #commit()}.
     *
     * @return the id of the attempt whose output the blob now holds: this one, or the one of the same job before it
     * @throws BlobStoreException if the storage service refuses
     */
    public String commitOnce(Predicate<String> sameJob) {
        if (!staged) {
            throw new IllegalStateException("nothing to commit: the stream was not closed, or a block failed");
        }
        for (int tries = 1; ; tries++) {
            BlobProperties properties;
            try {
                properties = blob.getProperties();
            } catch (BlobStorageException e) {
                if (e.getStatusCode() == 403) {
                    commit(); // may write but not read: no version to compare with
                    return attemptId;
                }
                if (e.getStatusCode() != 404) {
                    throw failure(e);
                }
                properties = null;
            } catch (RuntimeException e) {
                throw failure(e);
            }
            String committedBy = properties == null || properties.getMetadata() == null ? null
                    : properties.getMetadata().get(ATTEMPT_METADATA);
            if (committedBy != null && sameJob.test(committedBy)) {
                return committedBy;
            }
            BlobRequestConditions unchanged = properties == null ? new BlobRequestConditions().setIfNoneMatch("*")
                    : new BlobRequestConditions().setIfMatch(properties.getETag());
            try {
                blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds)
                        .setHeaders(headers).setMetadata(metadata).setRequestConditions(unchanged), null, null);
                committed = true;
                return attemptId;
            } catch (BlobStorageException e) {
                // 412: changed since read; 409: created since read (If-None-Match)
                if ((e.getStatusCode() != 412 && e.getStatusCode() != 409) || tries >= CONDITIONAL_TRIES) {
                    throw failure(e);
                }
            } catch (RuntimeException e) {
                throw failure(e);
            }
        }
    }

    private BlobStoreException failure(RuntimeException e) {
        BlobStoreException answered = BlobStore.translate("committing the blocks of", blob.getContainerName(),
                blob.getBlobName(), e);
        return answered != null ? answered : new BlobStoreException("committing the blocks of '"
                + blob.getContainerName() + "/" + blob.getBlobName() + "' failed: " + e.getClass().getSimpleName(),
                0, null, e);
    }

    /** Whether {@link #commit()} succeeded. */
    public boolean committed() {
        return committed;
    }

    /**
     * The block id of an attempt's {@code index}-th block: base64 of {@code <attemptId>} padded with dots (never part
     * of an attempt id) to {@value #BLOCK_ID_BYTES} minus ten bytes, {@code -} and the index in nine digits.
     */
    static String blockId(String attemptId, int index) {
        if (attemptId == null || !ATTEMPT_ID.matcher(attemptId).matches()) {
            throw new IllegalArgumentException("attempt id must be 1 to " + (BLOCK_ID_BYTES - INDEX_DIGITS - 2)
                    + " letters, digits, '-' or '_'");
        }
        String raw = attemptId + ".".repeat(BLOCK_ID_BYTES - INDEX_DIGITS - 1 - attemptId.length()) + "-"
                + String.format("%0" + INDEX_DIGITS + "d", index);
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    private void stageFilling() throws IOException {
        awaitInFlight();
        String id = blockId(attemptId, blockIds.size());
        blockIds.add(id);
        byte[] block = filling;
        int length = used;
        inFlight = uploader.submit(() -> blob.stageBlock(id, BinaryData.fromByteBuffer(ByteBuffer.wrap(block, 0, length))));
        filling = spare;
        spare = block; // reused only after awaitInFlight() saw this upload finish
        used = 0;
    }

    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            inFlight.get();
        } catch (ExecutionException e) {
            throw new IOException("uploading a block of '" + blob.getBlobName() + "' failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading '" + blob.getBlobName() + "'", e);
        } finally {
            inFlight = null;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
    }
}
