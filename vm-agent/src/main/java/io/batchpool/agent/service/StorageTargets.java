package io.batchpool.agent.service;

import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.EndpointPolicy;
import io.batchpool.blob.InvalidBlobReferenceException;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.job.BlobLocation;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;

/**
 * Turns the BlobLocations of a job into {@link StorageTarget}s: opens a sealed credential and parses the blob
 * reference under this VM's allow-list, or confines a local file to its account's directory. A local file's account
 * comes from its sealed location (the gateway sealed the submitting account into it) and must be the job's own;
 * the path is checked again to stay under that account's directory, whatever the gateway checked.
 */
final class StorageTargets {
    private static final Logger LOG = Logger.getLogger(StorageTargets.class);
    /** Temporary local files this old belong to attempts that crashed: no commit waits that long. */
    static final Duration STALE_STAGING = Duration.ofDays(1);

    private final EndpointPolicy policy;
    private final BlobStore store;
    private final SecretCipher cipher;
    /** Null when local files are not enabled ({@code batchpool.local-files.root} not set). */
    private final LocalFileStore localFiles;

    StorageTargets(EndpointPolicy policy, SecretCipher cipher, LocalFileStore localFiles, Clock clock) {
        this.policy = policy;
        this.store = new BlobStore(policy, clock);
        this.cipher = cipher;
        this.localFiles = localFiles;
        if (localFiles != null) {
            int removed = localFiles.removeStaleStaging(clock.instant().minus(STALE_STAGING));
            if (removed > 0) {
                LOG.infof("removed %d temporary local files older than %s (attempts that ended without commit)",
                        removed, STALE_STAGING);
            }
        }
    }

    /** Where local files live, or a sentence saying they are not enabled. */
    String localFilesRoot() {
        return localFiles == null ? "not enabled" : localFiles.root().toString();
    }

    /**
     * @param what the reference for messages, e.g. {@code input 'input1'}
     * @throws JobRunner.AttemptFailure if this VM cannot use it: the message says why, {@code retryable} if another VM
     *                                  might
     */
    StorageTarget of(String what, BlobLocation location, String accountId) throws JobRunner.AttemptFailure {
        return location.kind() == BlobLocation.Kind.LOCAL_FILE ? localFile(what, location, accountId)
                : blob(what, location);
    }

    private StorageTarget blob(String what, BlobLocation location) throws JobRunner.AttemptFailure {
        String secret;
        try {
            secret = cipher.decrypt(location.sealedCredential());
        } catch (RuntimeException e) {
            // a key mismatch between gateway and agent: another VM may have the right key
            throw failure(what, "the storage credential could not be decrypted on this VM", true);
        }
        BlobReference.Fields fields = location.kind() == BlobLocation.Kind.SAS
                ? BlobReference.Fields.ofSas(location.baseLocation(), location.relativeLocation(), secret)
                : BlobReference.Fields.ofConnectionString(secret, location.relativeLocation());
        try {
            return new StorageTarget.Blob(store, BlobReference.parse(fields, policy));
        } catch (InvalidBlobReferenceException e) {
            throw failure(what, JobRunner.redact(e.getMessage()), false);
        }
    }

    private StorageTarget localFile(String what, BlobLocation location, String accountId)
            throws JobRunner.AttemptFailure {
        if (localFiles == null) {
            throw failure(what, "local files (UseLocalFiles=true) are not enabled on this VM "
                    + "(batchpool.local-files.root is not set)", false);
        }
        if (location.sealedCredential() == null) {
            throw failure(what, "the local file names no account (a job submitted before local files were kept "
                    + "per account): submit it again", false);
        }
        String owner;
        try {
            owner = LocalFileStore.openAccountSeal(cipher, location.sealedCredential());
        } catch (RuntimeException e) {
            throw failure(what, "the local file's account could not be decrypted on this VM", true);
        }
        if (!owner.equals(accountId)) {
            throw failure(what, "the local file belongs to another account than the job", false);
        }
        try {
            // checked by the gateway already; checked again under the account's directory when opened
            return new StorageTarget.LocalFile(localFiles.forAccount(owner),
                    LocalFileStore.normalise(location.relativeLocation()));
        } catch (InvalidBlobReferenceException e) {
            throw failure(what, e.getMessage(), false);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            LOG.warnf("local files of account %s cannot be used: %s", owner, e.getMessage());
            throw failure(what, "the local files of the job's account cannot be used on this VM", true);
        }
    }

    private static JobRunner.AttemptFailure failure(String what, String why, boolean retryable) {
        return new JobRunner.AttemptFailure(what + ": " + why, retryable);
    }
}
