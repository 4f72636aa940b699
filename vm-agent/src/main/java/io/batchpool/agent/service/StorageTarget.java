package io.batchpool.agent.service;

import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.job.ResultLocation;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where an attempt reads its input or writes an output: an Azure blob, or a local file (the embedded default). Both
 * work the same way: reads stream, each attempt writes a temporary object next to the output, {@link #commit} moves
 * the current attempt's onto the final name, {@link #discard} deletes a zombie's. Failures are blob-storage's
 * {@code BlobStoreException}s, whose status says whose fault they are.
 */
sealed interface StorageTarget {

    InputStream openRead();

    OutputStream openWrite(String attemptId);

    /** Makes the attempt's output final; returns where the client downloads it, its credential sealed. */
    ResultLocation commit(String attemptId, SecretCipher cipher);

    void discard(String attemptId);

    /** A blob, by connection string or SAS. */
    record Blob(BlobStore store, BlobReference ref) implements StorageTarget {
        @Override
        public InputStream openRead() {
            return store.openRead(ref);
        }

        @Override
        public OutputStream openWrite(String attemptId) {
            return store.openWrite(ref, attemptId);
        }

        @Override
        public ResultLocation commit(String attemptId, SecretCipher cipher) {
            store.commit(ref, attemptId);
            io.batchpool.blob.ResultLocation loc = store.resultLocation(ref);
            // the token is a credential (a read SAS, or the caller's own echoed): sealed on Kafka, opened only by
            // the gateway for the client's status request
            return new ResultLocation(loc.baseLocation(), loc.relativeLocation(), cipher.encrypt(loc.sasBlobToken()));
        }

        @Override
        public void discard(String attemptId) {
            store.discard(ref, attemptId);
        }

        @Override
        public String toString() {
            return ref.toString(); // redacts the credential
        }
    }

    /** A file under the local files root, by its (checked) path under it. */
    record LocalFile(LocalFileStore store, String path) implements StorageTarget {
        @Override
        public InputStream openRead() {
            return store.openRead(path);
        }

        @Override
        public OutputStream openWrite(String attemptId) {
            return store.openWrite(path, attemptId);
        }

        /** No credential: the gateway serves the file and signs its download URL itself. */
        @Override
        public ResultLocation commit(String attemptId, SecretCipher cipher) {
            store.commit(path, attemptId);
            return ResultLocation.localFile(path);
        }

        @Override
        public void discard(String attemptId) {
            store.discard(path, attemptId);
        }
    }
}
