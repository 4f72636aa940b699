package io.batchpool.gateway.service;

import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStoreException;
import io.batchpool.blob.InvalidBlobReferenceException;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.FileLinkSigner;
import io.batchpool.gateway.rest.ApiException;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Local-file storage, the embedded default (DESIGN §3): checks the {@code UseLocalFiles=true} references of a job
 * request, renders a local output's Results entry as a signed download URL of this gateway
 * ({@code <public-url>/files/<accountId>/} + path + {@code ?expires=...&sig=...}), and opens the file such a URL
 * names. Enabled by {@code batchpool.local-files.root}, the directory the agents write into too.
 * <p>
 * Every account has its own directory, {@code <root>/<accountId>}: a reference's path is resolved under the
 * directory of the account whose key submitted the job (the client names nothing above it), that account is sealed
 * into the job's location so the agent works under the same directory, and a download link is signed for the
 * account and the path together, so it serves that one file and no other account's.
 */
@ApplicationScoped
@Startup // a root that cannot be used fails the start, not the first job
public class LocalFiles {
    private static final Logger LOG = Logger.getLogger(LocalFiles.class);
    /** Path of the download endpoint, under the public URL. */
    public static final String DOWNLOAD_PATH = "/files/";

    private final Optional<LocalFileStore> store;
    private final SecretCipher cipher;
    private final FileLinkSigner signer;
    private final String downloadBase;
    private final Duration validity;
    private final Clock clock;

    /** A file to send: the opened file and what to announce. */
    public record Download(SeekableByteChannel channel, long size, String contentType) {
    }

    @Inject
    public LocalFiles(GatewayConfig config, SecretCipher cipher, Clock clock) {
        this.store = config.localFiles().root().map(LocalFileStore::new);
        this.cipher = cipher;
        this.signer = FileLinkSigner.fromBase64Key(config.secrets().key());
        String base = config.publicUrl();
        this.downloadBase = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + DOWNLOAD_PATH;
        this.validity = config.localFiles().linkValidity();
        this.clock = clock;
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("batchpool.local-files.link-validity must be positive");
        }
        store.ifPresent(s -> LOG.infof("local files enabled under %s (download links at %s, valid %s)", s.root(),
                downloadBase, validity));
    }

    public boolean enabled() {
        return store.isPresent();
    }

    /**
     * The BlobLocation of a {@code UseLocalFiles=true} reference: the path checked to stay under the account's
     * directory (no {@code ..}, no absolute path, no backslash, no control characters, no link out of it), the
     * account sealed into it. Checking creates nothing.
     *
     * @param field     the request field, e.g. {@code Inputs.input1}, for the message
     * @param accountId the account whose key submits the job: the path is under its directory
     * @throws ApiException InvalidBlobReference, also when local files are not enabled
     */
    public BlobLocation location(String field, BlobReference.Fields fields, boolean output, String accountId) {
        LocalFileStore files = store.orElseThrow(() -> new ApiException(ErrorCode.InvalidBlobReference, field
                + ": ConnectionString: local files (UseLocalFiles=true) are not enabled on this server; name an "
                + "Azure blob instead"));
        try {
            String path = LocalFileStore.parse(fields);
            LocalFileStore own = files.forAccount(accountId);
            if (output) {
                own.resolveOutput(path);
            } else {
                own.resolve(path);
            }
            return BlobLocation.localFile(path, LocalFileStore.sealAccount(cipher, accountId));
        } catch (InvalidBlobReferenceException e) {
            throw new ApiException(ErrorCode.InvalidBlobReference, field + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new ApiException(ErrorCode.InvalidBlobReference, field + ": RelativeLocation cannot be checked "
                    + "under the local files root");
        }
    }

    /**
     * The Results entry of a committed local output (an AzureBlobDataReference): {@code BaseLocation +
     * RelativeLocation + SasBlobToken} downloads it from this gateway with no other credential, for
     * {@code link-validity} from now; RelativeLocation is {@code <accountId>/<path>}, and the link is signed for both.
     * Without local files enabled (any more), or for a path this gateway would not have accepted, the stored location
     * is shown as it is.
     *
     * @param accountId the job's account, whose directory holds the file
     */
    public Map<String, Object> result(String accountId, String path) {
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("ConnectionString", null);
        if (store.isEmpty() || !isValidPath(path)) {
            ref.put("RelativeLocation", path);
            ref.put("BaseLocation", BlobLocation.LOCAL_FILE_BASE);
            ref.put("SasBlobToken", null);
            return ref;
        }
        ref.put("RelativeLocation", accountId + "/" + LocalFileStore.urlPath(path));
        ref.put("BaseLocation", downloadBase);
        ref.put("SasBlobToken", signer.token(accountId + "/" + path, clock.instant().plus(validity)));
        return ref;
    }

    /**
     * Opens the file a download link names, if its signature and expiry hold: the link is signed for
     * {@code <accountId>/<path>}, and the file is opened under that account's directory only.
     *
     * @param path the path as the URL gives it, decoded: {@code <accountId>/<path under the account's directory>}
     * @throws ApiException 404 NotFound without local files, 403 DownloadLinkInvalid / DownloadLinkExpired,
     *                      404 FileNotFound
     */
    public Download open(String path, String expires, String sig) {
        LocalFileStore files = store.orElseThrow(() -> new ApiException(ErrorCode.NotFound,
                "local files are not enabled on this server"));
        switch (signer.check(path, expires, sig, clock.instant())) {
            case VALID:
                break;
            case EXPIRED:
                throw new ApiException(ErrorCode.DownloadLinkExpired, "this download link expired at "
                        + java.time.Instant.ofEpochSecond(Long.parseLong(expires)) + "; the job's status gives a "
                        + "fresh one");
            default:
                throw new ApiException(ErrorCode.DownloadLinkInvalid, "the download link's signature does not "
                        + "match (use BaseLocation + RelativeLocation + SasBlobToken of the job's Results as they are)");
        }
        int slash = path.indexOf('/');
        if (slash < 0) { // signed by us, yet no account's file: only a link made by hand
            throw new ApiException(ErrorCode.FileNotFound, "the file of this link is not there");
        }
        SeekableByteChannel channel;
        try {
            channel = files.forAccount(path.substring(0, slash)).open(path.substring(slash + 1));
        } catch (IllegalArgumentException | UncheckedIOException e) { // likewise: not an account, or not a path
            throw new ApiException(ErrorCode.FileNotFound, "the file of this link is not there");
        } catch (BlobStoreException e) {
            if (e.status() >= 400 && e.status() < 500) { // gone, a directory now, or a link out of the root now
                throw new ApiException(ErrorCode.FileNotFound, "the file of this link is not there: " + e.getMessage());
            }
            throw e;
        }
        try {
            return new Download(channel, channel.size(), contentType(path));
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the failure below says enough
            }
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isValidPath(String path) {
        try {
            return path != null && LocalFileStore.normalise(path).equals(path);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String contentType(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".csv") ? "text/csv" : "application/octet-stream";
    }
}
