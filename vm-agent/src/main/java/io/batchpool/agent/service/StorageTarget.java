package io.batchpool.agent.service;

import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.blob.StagedBlob;
import io.batchpool.contracts.job.ResultLocation;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Predicate;

/**
 * Where an attempt reads its input or writes an output: an Azure blob, or a local file (the embedded default). One
 * target per attempt. Reads stream; an attempt's output stays invisible until {@link #commit} (only for the attempt
 * the dispatcher still considers current): a blob's blocks are staged on its own name and committed with one block
 * list, a local file is written in the staging directory and moved onto its name. {@link #discard} drops what a
 * zombie, revoked or failed attempt wrote. Failures are blob-storage's {@code BlobStoreException}s, whose status says
 * whose fault they are.
 */
sealed interface StorageTarget {
    org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StorageTarget.class);

    InputStream openRead();

    OutputStream openWrite(String attemptId);

    /**
     * Makes the attempt's output final unless an attempt of the same job ({@code sameJob} of its attempt id) already
     * did: then that output stays as it is (a job's output is committed once). Returns where the client downloads it,
     * its credential sealed.
     */
    ResultLocation commit(String attemptId, Predicate<String> sameJob, SecretCipher cipher);

    void discard(String attemptId);

    /** A blob, by connection string or SAS: the output is the blocks this attempt staged ({@link StagedBlob}). */
    final class Blob implements StorageTarget {
        private final BlobStore store;
        private final BlobReference ref;
        private volatile StagedBlob staged;

        Blob(BlobStore store, BlobReference ref) {
            this.store = store;
            this.ref = ref;
        }

        @Override
        public InputStream openRead() {
            return store.openRead(ref);
        }

        @Override
        public OutputStream openWrite(String attemptId) {
            StagedBlob out = store.openWrite(ref, attemptId);
            staged = out;
            return out;
        }

        /**
         * One Put Block List of the staged blocks, conditional on the blob not holding an attempt of this job
         * ({@link StagedBlob#commitOnce}): the output appears whole, replacing any earlier job's.
         */
        @Override
        public ResultLocation commit(String attemptId, Predicate<String> sameJob, SecretCipher cipher) {
            StagedBlob out = staged;
            if (out == null) {
                throw new IllegalStateException("attempt " + attemptId + " wrote nothing to " + ref);
            }
            String committedBy = out.commitOnce(sameJob);
            if (!committedBy.equals(attemptId)) {
                LOG.infof("%s: %s already holds the output of attempt %s of this job: not committed again", attemptId,
                        ref, committedBy);
            }
            io.batchpool.blob.ResultLocation loc = store.resultLocation(ref);
            // the token is a credential (a read SAS, or the caller's own echoed): sealed on Kafka, opened only by
            // the gateway for the client's status request
            return new ResultLocation(loc.baseLocation(), loc.relativeLocation(), cipher.encrypt(loc.sasBlobToken()));
        }

        /** Nothing to delete: uncommitted blocks are never visible and expire by themselves. */
        @Override
        public void discard(String attemptId) {
            staged = null;
        }

        @Override
        public String toString() {
            return ref.toString(); // redacts the credential
        }
    }

    /** A file of one account, by its (checked) path under the account's directory ({@link LocalFileStore#forAccount}). */
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
        public ResultLocation commit(String attemptId, Predicate<String> sameJob, SecretCipher cipher) {
            String committedBy = store.commitOnce(path, attemptId, sameJob);
            if (!committedBy.equals(attemptId)) {
                LOG.infof("%s: local file '%s' already holds the output of attempt %s of this job: not committed again",
                        attemptId, path, committedBy);
            }
            return ResultLocation.localFile(path);
        }

        @Override
        public void discard(String attemptId) {
            store.discard(path, attemptId);
        }
    }
}
