package io.batchpool.blob;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.sas.SasProtocol;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reads and writes blobs named by {@link BlobReference}s through the Azure SDK (JDK HTTP client, no Netty).
 * <p>
 * Reads stream ({@link #openRead}: chunks of {@value #CHUNK_BYTES} bytes, never the whole blob in memory). Writes stage
 * blocks on the final name ({@link #openWrite}) that become the blob only through {@link StagedBlob#commit()}, which
 * the caller invokes for the attempt the dispatcher still considers current; a zombie attempt's blocks are never
 * committed and never replace a result. An output needs write permission only (no temporary blob, copy or delete).
 * <p>
 * Every request first re-checks the reference's endpoint against the {@link EndpointPolicy}. Thread-safe; one
 * instance per process is enough (it shares one HTTP client).
 */
public final class BlobStore {
    public static final Duration DEFAULT_RESULT_VALIDITY = Duration.ofHours(24);
    static final int CHUNK_BYTES = 4 * 1024 * 1024;

    private final EndpointPolicy policy;
    private final Clock clock;
    private final HttpClient http;
    private final ExecutorService uploader = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "blob-upload");
        t.setDaemon(true);
        return t;
    });

    public BlobStore(EndpointPolicy policy) {
        this(policy, Clock.systemUTC());
    }

    /** @param clock the time result SAS tokens expire from */
    public BlobStore(EndpointPolicy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        // HTTP/1.1: the storage service speaks nothing else, and an h2c upgrade attempt over plain http only costs.
        this.http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1))
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * Opens the blob for streaming reads. The stream reads the version of the blob that existed when it was opened
     * (a concurrent overwrite makes the next chunk fail instead of mixing versions).
     *
     * @throws BlobNotFoundException if the blob or its container does not exist
     */
    public InputStream openRead(BlobReference ref) {
        BlobClient blob = blob(ref, ref.blobName());
        try {
            return blob.openInputStream();
        } catch (RuntimeException e) {
            throw translate("reading", ref, ref.blobName(), e);
        }
    }

    /** The blob's size in bytes. @throws BlobNotFoundException if it does not exist */
    public long size(BlobReference ref) {
        try {
            return blob(ref, ref.blobName()).getProperties().getBlobSize();
        } catch (RuntimeException e) {
            throw translate("reading the size", ref, ref.blobName(), e);
        }
    }

    public boolean exists(BlobReference ref) {
        try {
            return blob(ref, ref.blobName()).exists();
        } catch (RuntimeException e) {
            throw translate("checking", ref, ref.blobName(), e);
        }
    }

    /** Deletes the blob; false if there was none. */
    public boolean deleteIfExists(BlobReference ref) {
        try {
            return blob(ref, ref.blobName()).deleteIfExists();
        } catch (RuntimeException e) {
            throw translate("deleting", ref, ref.blobName(), e);
        }
    }

    /** Creates the reference's container when missing (needs the account key or an account SAS). */
    public void createContainerIfMissing(BlobReference ref) {
        try {
            container(ref).createIfNotExists();
        } catch (RuntimeException e) {
            throw translate("creating the container", ref, ref.blobName(), e);
        }
    }

    /**
     * Opens a stream that stages this attempt's output as blocks on the blob's own name (block ids carry the attempt;
     * an earlier try of the same attempt is simply staged again). Data is uploaded in blocks of {@value #CHUNK_BYTES}
     * bytes as it is written, one block in flight while the next fills (memory: two blocks); {@code close()} stages
     * the last block and throws if any failed. Nothing changes under the name until {@link StagedBlob#commit()}, which
     * the caller invokes for the attempt the dispatcher still considers current; a zombie attempt's blocks are never
     * committed and expire by themselves. Not thread-safe.
     *
     * @throws IllegalArgumentException if the attempt id is not 1 to 53 letters, digits, '-' or '_'
     */
    public StagedBlob openWrite(BlobReference ref, String attemptId) {
        return new StagedBlob(blob(ref, ref.blobName()).getBlockBlobClient(), attemptId, CHUNK_BYTES,
                new BlobHttpHeaders().setContentType(contentType(ref.blobName())),
                Map.of(StagedBlob.ATTEMPT_METADATA, attemptId), uploader);
    }

    /** {@link #resultLocation(BlobReference, Duration)} valid for {@link #DEFAULT_RESULT_VALIDITY}. */
    public ResultLocation resultLocation(BlobReference ref) {
        return resultLocation(ref, DEFAULT_RESULT_VALIDITY);
    }

    /**
     * Where a client downloads the (committed) blob. For an account-key reference: the blob endpoint, the
     * container/blob path and a new read-only SAS for this blob valid for {@code validity}. For a SAS reference: the
     * caller's own location and token. Makes no request.
     */
    public ResultLocation resultLocation(BlobReference ref, Duration validity) {
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        if (ref.credential() instanceof BlobCredential.Sas sas) {
            BlobReference.Fields f = ref.fields();
            if (f.baseLocation() != null && f.relativeLocation() != null) {
                return new ResultLocation(f.baseLocation(), f.relativeLocation(), sas.token());
            }
            return new ResultLocation(ref.serviceEndpoint() + "/",
                    ref.container() + "/" + PathEncoding.encodePath(ref.blobName()), sas.token());
        }
        BlobServiceSasSignatureValues values = new BlobServiceSasSignatureValues(
                OffsetDateTime.now(clock.withZone(ZoneOffset.UTC)).plus(validity),
                new BlobSasPermission().setReadPermission(true));
        if ("https".equalsIgnoreCase(ref.serviceEndpoint().getScheme())) {
            values.setProtocol(SasProtocol.HTTPS_ONLY);
        }
        String token = blob(ref, ref.blobName()).generateSas(values);
        return new ResultLocation(ref.serviceEndpoint() + "/",
                ref.container() + "/" + PathEncoding.encodePath(ref.blobName()), "?" + token);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private BlobClient blob(BlobReference ref, String blobName) {
        return container(ref).getBlobClient(blobName);
    }

    private BlobContainerClient container(BlobReference ref) {
        String why = policy.rejection(ref.serviceEndpoint());
        if (why != null) {
            throw new InvalidBlobReferenceException("BlobEndpoint", InvalidBlobReferenceException.ENDPOINT_NOT_ALLOWED,
                    "blob endpoint " + ref.serviceEndpoint().getHost() + " " + why);
        }
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .endpoint(ref.serviceEndpoint().toString())
                .httpClient(http);
        if (ref.credential() instanceof BlobCredential.SharedKey key) {
            builder.credential(new StorageSharedKeyCredential(key.accountName(), key.accountKey()));
        } else if (ref.credential() instanceof BlobCredential.Sas sas) {
            builder.sasToken(sas.token().substring(1));
        }
        return builder.buildClient().getBlobContainerClient(ref.container());
    }

    private static String contentType(String blobName) {
        String n = blobName.toLowerCase(Locale.ROOT);
        return n.endsWith(".csv") ? "text/csv" : "application/octet-stream";
    }

    private static RuntimeException translate(String operation, BlobReference ref, String blobName, RuntimeException e) {
        if (e instanceof BlobStoreException || e instanceof InvalidBlobReferenceException) {
            return e;
        }
        RuntimeException storage = translate(operation, ref.container(), blobName, e);
        if (storage != null) {
            return storage;
        }
        return new BlobStoreException(operation + " '" + ref.container() + "/" + blobName + "' failed: "
                + e.getClass().getSimpleName() + " talking to " + ref.serviceEndpoint(), 0, null, e);
    }

    /** A storage service's answer as a {@link BlobStoreException}; null if {@code e} carries none. */
    static BlobStoreException translate(String operation, String container, String blobName, RuntimeException e) {
        BlobStorageException storage = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BlobStorageException s) {
                storage = s;
                break;
            }
        }
        if (storage != null) {
            String code = storage.getErrorCode() == null ? null : storage.getErrorCode().toString();
            if (storage.getStatusCode() == 404) {
                return new BlobNotFoundException(container, blobName, code, e);
            }
            return new BlobStoreException(operation + " '" + container + "/" + blobName + "' failed: storage answered "
                    + storage.getStatusCode() + (code == null ? "" : " " + code), storage.getStatusCode(), code, e);
        }
        return null;
    }
}
