package io.batchpool.blob;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.models.BlobHttpHeaders;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Writes a block blob as a sequence of staged blocks, then commits the block list on {@link #close()}.
 * <p>
 * Memory is bounded: two buffers of one block each, one being filled while the other uploads. A writer faster than
 * the network waits. (The SDK's own {@code BlobOutputStream} queues every written chunk when the writer outpaces the
 * uploads, so its memory grows with the blob; measured in StreamingTest.)
 */
final class BlockUploadStream extends OutputStream {
    private final BlockBlobClient blob;
    private final BlobHttpHeaders headers;
    private final Map<String, String> metadata;
    private final ExecutorService uploader;
    private final List<String> blockIds = new ArrayList<>();
    private byte[] filling;
    private byte[] spare;
    private int used;
    private Future<?> inFlight;
    private boolean closed;

    BlockUploadStream(BlockBlobClient blob, int blockBytes, BlobHttpHeaders headers, Map<String, String> metadata,
                      ExecutorService uploader) {
        this.blob = blob;
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
            blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds)
                    .setHeaders(headers).setMetadata(metadata), null, null);
        } catch (RuntimeException e) {
            throw new IOException("committing the blocks of '" + blob.getBlobName() + "' failed", e);
        } finally {
            filling = null;
            spare = null;
        }
    }

    private void stageFilling() throws IOException {
        awaitInFlight();
        String id = Base64.getEncoder().encodeToString(
                String.format("%08d", blockIds.size()).getBytes(StandardCharsets.US_ASCII));
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
