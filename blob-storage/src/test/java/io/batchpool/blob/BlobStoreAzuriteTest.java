package io.batchpool.blob;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockList;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** BlobStore against a real Azurite (SharedAzurite). Each run uses a fresh container. */
class BlobStoreAzuriteTest {
    static final String CONTAINER = "bp-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    static EndpointPolicy policy;
    static BlobStore store;
    static BlobContainerClient admin;

    @BeforeAll
    static void setUp() {
        policy = SharedAzurite.policy();
        store = new BlobStore(policy);
        admin = new BlobServiceClientBuilder().endpoint(SharedAzurite.endpoint().toString())
                .credential(new StorageSharedKeyCredential(BlobReference.DEVELOPMENT_ACCOUNT, BlobReference.DEVELOPMENT_KEY))
                .buildClient().getBlobContainerClient(CONTAINER);
        store.createContainerIfMissing(ref("any.csv"));
    }

    @AfterAll
    static void tearDown() {
        if (admin != null) {
            admin.deleteIfExists();
        }
    }

    static BlobReference ref(String blob) {
        return BlobReference.parse(SharedAzurite.connectionString(), null, "/" + CONTAINER + "/" + blob, null, policy);
    }

    /** Stages an attempt's output; nothing is committed. */
    static StagedBlob write(BlobReference ref, String attempt, String content) throws Exception {
        StagedBlob staged = store.openWrite(ref, attempt);
        try (OutputStream out = staged) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return staged;
    }

    static List<String> blobNames(String prefix) {
        return admin.listBlobs().stream().map(BlobItem::getName).filter(n -> n.startsWith(prefix)).toList();
    }

    /** The block ids of a blob, decoded, committed or not. */
    static List<String> blocks(String blob, BlockListType type) {
        BlockList list = admin.getBlobClient(blob).getBlockBlobClient().listBlocks(type);
        List<Block> blocks = type == BlockListType.UNCOMMITTED ? list.getUncommittedBlocks() : list.getCommittedBlocks();
        return blocks.stream().map(b -> new String(Base64.getDecoder().decode(b.getName()), StandardCharsets.US_ASCII))
                .toList();
    }

    static String read(BlobReference ref) throws Exception {
        try (InputStream in = store.openRead(ref)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void writeCommitReadRoundTrip() throws Exception {
        BlobReference out = ref("round/trip.csv");
        String csv = "a,b,Scored Labels\n1,2,>50K\n";
        StagedBlob staged = write(out, "a1", csv);
        assertThat(store.exists(out)).as("nothing under the final name before commit").isFalse();
        assertThat(blobNames("round/")).as("no temporary blob").isEmpty();
        assertThat(blocks("round/trip.csv", BlockListType.UNCOMMITTED)).as("staged on the final name, ids carry the attempt")
                .containsExactly("a1" + ".".repeat(52) + "-000000000");

        staged.commit();

        assertThat(staged.committed()).isTrue();
        assertThat(read(out)).isEqualTo(csv);
        assertThat(store.size(out)).isEqualTo(csv.getBytes(StandardCharsets.UTF_8).length);
        assertThat(admin.getBlobClient("round/trip.csv").getProperties().getContentType()).isEqualTo("text/csv");
        assertThat(admin.getBlobClient("round/trip.csv").getProperties().getMetadata()).containsEntry("batchpoolattempt", "a1");
        assertThat(blobNames("round/")).containsExactly("round/trip.csv");
    }

    @Test
    void blockIdsHaveOneLengthForEveryAttemptAndCarryIt() {
        String a = new String(Base64.getDecoder().decode(StagedBlob.blockId("0123456789abcdef0123456789abcdef-1", 7)),
                StandardCharsets.US_ASCII);
        String b = new String(Base64.getDecoder().decode(StagedBlob.blockId("x", 49_999)), StandardCharsets.US_ASCII);
        assertThat(a).hasSize(StagedBlob.BLOCK_ID_BYTES).startsWith("0123456789abcdef0123456789abcdef-1.").endsWith("-000000007");
        assertThat(b).hasSize(StagedBlob.BLOCK_ID_BYTES).startsWith("x.").endsWith("-000049999");
        assertThatThrownBy(() -> StagedBlob.blockId("a".repeat(54), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StagedBlob.blockId("a.b", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.openWrite(ref("x.csv"), "a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyOutputsAndByteByByteWritesAcrossBlockBoundaries() throws Exception {
        BlobReference empty = ref("edge/empty.csv");
        StagedBlob nothing = store.openWrite(empty, "e1");
        nothing.close();
        nothing.commit();
        assertThat(store.size(empty)).isZero();
        assertThat(read(empty)).isEmpty();

        BlobReference odd = ref("edge/odd.bin");
        int size = BlobStore.CHUNK_BYTES + 3;
        StagedBlob staged = store.openWrite(odd, "o1");
        try (OutputStream out = staged) {
            for (int i = 0; i < size; i++) {
                out.write(i % 251);
            }
        }
        staged.commit();
        assertThat(blocks("edge/odd.bin", BlockListType.COMMITTED)).hasSize(2);
        byte[] back;
        try (InputStream in = store.openRead(odd)) {
            back = in.readAllBytes();
        }
        assertThat(back).hasSize(size);
        for (int i = 0; i < size; i += 4099) {
            assertThat(back[i] & 0xff).isEqualTo(i % 251);
        }
        assertThat(back[size - 1] & 0xff).isEqualTo((size - 1) % 251);
    }

    @Test
    void aFailedUploadSurfacesWhenTheStreamClosesAndLeavesNothingToCommit() {
        BlobReference noContainer = BlobReference.parse(SharedAzurite.connectionString(), null,
                "missing-" + CONTAINER + "/out.csv", null, policy);
        StagedBlob staged = store.openWrite(noContainer, "f1");
        assertThatThrownBy(() -> {
            try (OutputStream out = staged) {
                out.write("some rows\n".getBytes(StandardCharsets.UTF_8));
            }
        }).isInstanceOf(java.io.IOException.class).hasMessageContaining("out.csv");
        assertThatThrownBy(staged::commit).isInstanceOf(IllegalStateException.class);
        assertThat(staged.committed()).isFalse();
    }

    @Test
    void zombieAttemptNeverReplacesTheCommittedResult() throws Exception {
        BlobReference out = ref("zombie/result.csv");
        write(out, "attemptA", "from A, the zombie\n");
        StagedBlob current = write(out, "attemptB", "from B, the current attempt\n");
        current.commit();
        // the zombie keeps writing after B committed; its blocks are never committed
        write(out, "attemptA", "from A again, still a zombie\n");
        assertThat(read(out)).isEqualTo("from B, the current attempt\n");
        assertThat(blocks("zombie/result.csv", BlockListType.COMMITTED)).singleElement().asString().startsWith("attemptB.");
        assertThat(blocks("zombie/result.csv", BlockListType.UNCOMMITTED)).as("invisible, expire by themselves")
                .singleElement().asString().startsWith("attemptA.");
        assertThat(blobNames("zombie/")).containsExactly("zombie/result.csv");

        // the next commit of the blob drops the zombie's blocks
        write(out, "attemptC", "from C\n").commit();
        assertThat(read(out)).isEqualTo("from C\n");
        assertThat(blocks("zombie/result.csv", BlockListType.UNCOMMITTED)).isEmpty();
    }

    /**
     * A job's output is committed once: commitOnce reads the blob's attempt metadata and commits only if it names no
     * attempt of the same job, conditional on the version it read. Whichever attempt of a job comes first commits;
     * the other finds it and sends nothing (the ETag stays); another job's output under the name is replaced.
     */
    @Test
    void commitOnceCommitsAJobsOutputOnceWhicheverAttemptComesFirst() throws Exception {
        BlobReference out = ref("once/result.csv");
        java.util.function.Predicate<String> jobX = id -> id.startsWith("jobX-");
        write(out, "jobW-1", "an earlier job's output\n").commit();
        StagedBlob first = write(out, "jobX-1", "from attempt 1\n");
        StagedBlob second = write(out, "jobX-2", "from attempt 2\n");

        assertThat(first.commitOnce(jobX)).as("another job's output is replaced").isEqualTo("jobX-1");
        String etag = admin.getBlobClient("once/result.csv").getProperties().getETag();
        assertThat(second.commitOnce(jobX)).as("attempt 1 already committed the job").isEqualTo("jobX-1");
        assertThat(second.committed()).isFalse();
        assertThat(admin.getBlobClient("once/result.csv").getProperties().getETag()).isEqualTo(etag);
        assertThat(read(out)).isEqualTo("from attempt 1\n");

        // a blob nobody committed yet: If-None-Match *, and the next attempt finds it
        BlobReference fresh = ref("once/fresh.csv");
        StagedBlob zombie = write(fresh, "jobY-1", "from the zombie\n");
        assertThat(write(fresh, "jobY-2", "from the current attempt\n").commitOnce(id -> id.startsWith("jobY-")))
                .isEqualTo("jobY-2");
        assertThat(zombie.commitOnce(id -> id.startsWith("jobY-"))).isEqualTo("jobY-2");
        assertThat(read(fresh)).isEqualTo("from the current attempt\n");
    }

    /** A write-only SAS may not read the metadata (Azurite enforces it): the commit is then unconditional. */
    @Test
    void commitOnceWithAWriteOnlySasCommitsUnconditionally() throws Exception {
        String writeOnly = "?" + admin.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                BlobContainerSasPermission.parse("w")));
        BlobReference out = BlobReference.parse(null, SharedAzurite.endpoint().toString(),
                CONTAINER + "/once-w/out.csv", writeOnly, policy).requireUsableAsOutput();
        assertThat(write(out, "jobZ-1", "first\n").commitOnce(id -> id.startsWith("jobZ-"))).isEqualTo("jobZ-1");
        assertThat(write(out, "jobZ-2", "second\n").commitOnce(id -> id.startsWith("jobZ-"))).isEqualTo("jobZ-2");
        assertThat(admin.getBlobClient("once-w/out.csv").downloadContent().toString()).isEqualTo("second\n");
    }

    @Test
    void missingBlobAndContainerGiveClearErrors() {
        BlobNotFoundException e = catchThrowableOfType(BlobNotFoundException.class, () -> store.openRead(ref("no/such.csv")));
        assertThat(e).isNotNull();
        assertThat(e.container()).isEqualTo(CONTAINER);
        assertThat(e.blobName()).isEqualTo("no/such.csv");
        assertThat(e.getMessage()).isEqualTo("blob 'no/such.csv' does not exist in container '" + CONTAINER + "'");
        assertThatThrownBy(() -> store.size(ref("no/such.csv"))).isInstanceOf(BlobNotFoundException.class);

        BlobReference noContainer = BlobReference.parse(SharedAzurite.connectionString(), null, "nocontainer-" + CONTAINER + "/a.csv", null, policy);
        BlobNotFoundException c = catchThrowableOfType(BlobNotFoundException.class, () -> store.openRead(noContainer));
        assertThat(c).isNotNull();
        assertThat(c.getMessage()).contains("nocontainer-" + CONTAINER).contains("a.csv");
    }

    @Test
    void resultCanBeDownloadedWithAPlainHttpGetAndItsSasIsReadOnly() throws Exception {
        BlobReference out = ref("results/scored output.csv");
        String csv = "x,Scored Labels,Scored Probabilities\n1,>50K,0.9\n";
        write(out, "r1", csv).commit();
        Instant now = Instant.now();
        ResultLocation loc = new BlobStore(policy, Clock.fixed(now, ZoneOffset.UTC)).resultLocation(out);

        assertThat(loc.baseLocation()).isEqualTo(SharedAzurite.endpoint() + "/");
        assertThat(loc.relativeLocation()).isEqualTo(CONTAINER + "/results/scored%20output.csv");
        assertThat(loc.sasBlobToken()).startsWith("?").contains("sp=r&").contains("sig=").doesNotContain(BlobReference.DEVELOPMENT_KEY);
        String expiry = SasTokens.parameter(loc.sasBlobToken(), "se");
        assertThat(OffsetDateTime.parse(expiry).toInstant()).isBetween(now.plus(Duration.ofHours(24)).minusSeconds(1), now.plus(Duration.ofHours(24)));

        HttpClient client = HttpClient.newHttpClient();
        URI url = URI.create(loc.baseLocation() + loc.relativeLocation() + loc.sasBlobToken());
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(csv);

        HttpResponse<String> put = client.send(HttpRequest.newBuilder(url).header("x-ms-blob-type", "BlockBlob")
                .PUT(HttpRequest.BodyPublishers.ofString("overwritten")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as("read-only SAS must not allow writes").isEqualTo(403);
        HttpResponse<String> noSas = client.send(HttpRequest.newBuilder(URI.create(loc.baseLocation() + loc.relativeLocation())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noSas.statusCode()).as("no anonymous access").isIn(403, 404);
        assertThat(read(out)).isEqualTo(csv);

        ResultLocation expired = new BlobStore(policy, Clock.fixed(now.minus(Duration.ofDays(2)), ZoneOffset.UTC)).resultLocation(out);
        HttpResponse<String> late = client.send(HttpRequest.newBuilder(expired.downloadUrl()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(late.statusCode()).as("an expired SAS is refused").isEqualTo(403);
    }

    @Test
    void sasReferencesReadWriteCommitAndEchoTheCallersLocation() throws Exception {
        String token = "?" + admin.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                BlobContainerSasPermission.parse("rwl")));
        String base = SharedAzurite.endpoint().toString(); // no trailing slash, as some clients send it
        BlobReference in = BlobReference.parse(null, base, "/" + CONTAINER + "/sas/in.csv", token, policy);
        admin.getBlobClient("sas/in.csv").upload(com.azure.core.util.BinaryData.fromString("input via SAS\n"));
        assertThat(read(in)).isEqualTo("input via SAS\n");

        BlobReference out = BlobReference.parse(null, base, CONTAINER + "/sas/out.csv", token, policy).requireUsableAsOutput();
        write(out, "s1", "output via SAS\n").commit();
        assertThat(admin.getBlobClient("sas/out.csv").downloadContent().toString()).isEqualTo("output via SAS\n");
        assertThat(blobNames("sas/")).containsExactly("sas/in.csv", "sas/out.csv");

        ResultLocation loc = store.resultLocation(out);
        assertThat(loc).isEqualTo(new ResultLocation(base + "/", CONTAINER + "/sas/out.csv", token));
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(loc.downloadUrl()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("output via SAS\n");
    }

    /**
     * The exact permission an output needs: write, nothing else. Azurite enforces SAS permissions (checked first here,
     * so the rest proves something): a write-only container SAS and a write-only SAS for the blob alone both write
     * and commit an output, and nothing else appears in the container.
     */
    @Test
    void anOutputNeedsWritePermissionOnlyForItsContainerOrItsBlob() throws Exception {
        String writeOnly = "?" + admin.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                BlobContainerSasPermission.parse("w")));
        String base = SharedAzurite.endpoint().toString();
        admin.getBlobClient("minimal/other.csv").upload(com.azure.core.util.BinaryData.fromString("other\n"));
        BlobReference other = BlobReference.parse(null, base, CONTAINER + "/minimal/other.csv", writeOnly, policy);
        assertThat(catchThrowableOfType(BlobStoreException.class, () -> store.openRead(other).read()).status())
                .as("Azurite enforces SAS permissions: no read with sp=w").isEqualTo(403);
        assertThat(catchThrowableOfType(BlobStoreException.class, () -> store.deleteIfExists(other)).status())
                .as("Azurite enforces SAS permissions: no delete with sp=w").isEqualTo(403);

        BlobReference out = BlobReference.parse(null, base, CONTAINER + "/minimal/out.csv", writeOnly, policy)
                .requireUsableAsOutput();
        write(out, "m1", "first\n").commit();
        write(out, "m2", "second, overwriting\n").commit();
        assertThat(admin.getBlobClient("minimal/out.csv").downloadContent().toString()).isEqualTo("second, overwriting\n");

        String blobOnly = "?" + admin.getBlobClient("minimal/blob-sas.csv").generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now().plusHours(1), BlobSasPermission.parse("w")));
        BlobReference single = BlobReference.parse(null, base, CONTAINER + "/minimal/blob-sas.csv", blobOnly, policy)
                .requireUsableAsOutput();
        write(single, "b1", "via a blob SAS\n").commit();
        assertThat(admin.getBlobClient("minimal/blob-sas.csv").downloadContent().toString()).isEqualTo("via a blob SAS\n");
        assertThat(blobNames("minimal/")).containsExactly("minimal/blob-sas.csv", "minimal/other.csv", "minimal/out.csv");

        String readOnly = "?" + admin.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                BlobContainerSasPermission.parse("rl")));
        BlobReference cannot = BlobReference.parse(null, base, CONTAINER + "/minimal/no.csv", readOnly, policy);
        assertThatThrownBy(cannot::requireUsableAsOutput).isInstanceOf(InvalidBlobReferenceException.class)
                .hasMessageContaining("sp with w");
        assertThatThrownBy(() -> write(cannot, "n1", "refused\n")).isInstanceOf(java.io.IOException.class)
                .hasRootCauseInstanceOf(com.azure.storage.blob.models.BlobStorageException.class);
    }

    @Test
    void useDevelopmentStorageReachesTheTestAzurite() throws Exception {
        admin.getBlobClient("dev/in.csv").upload(com.azure.core.util.BinaryData.fromString("dev storage\n"));
        BlobReference in = BlobReference.parse("UseDevelopmentStorage=true", null, CONTAINER + "/dev/in.csv", null, policy);
        assertThat(in.serviceEndpoint()).isEqualTo(SharedAzurite.endpoint());
        assertThat(read(in)).isEqualTo("dev storage\n");
        assertThat(store.size(in)).isEqualTo(12);
    }

    @Test
    void aStoreRefusesReferencesOutsideItsOwnPolicy() {
        BlobStore strict = new BlobStore(EndpointPolicy.azurePublic());
        assertThatThrownBy(() -> strict.openRead(ref("round/trip.csv")))
                .isInstanceOf(InvalidBlobReferenceException.class)
                .hasMessageContaining("not an allowed blob endpoint");
    }
}
