package io.batchpool.blob;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
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

    static void write(BlobReference ref, String attempt, String content) throws Exception {
        try (OutputStream out = store.openWrite(ref, attempt)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
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
        write(out, "a1", csv);
        assertThat(store.exists(out)).as("nothing under the final name before commit").isFalse();
        assertThat(admin.getBlobClient(BlobStore.temporaryBlobName("round/trip.csv", "a1")).exists()).isTrue();

        store.commit(out, "a1");

        assertThat(read(out)).isEqualTo(csv);
        assertThat(store.size(out)).isEqualTo(csv.getBytes(StandardCharsets.UTF_8).length);
        assertThat(admin.getBlobClient("round/trip.csv").getProperties().getContentType()).isEqualTo("text/csv");
        assertThat(admin.getBlobClient("round/trip.csv").getProperties().getMetadata()).containsEntry("batchpoolattempt", "a1");
        assertThat(admin.getBlobClient(BlobStore.temporaryBlobName("round/trip.csv", "a1")).exists())
                .as("temporary blob removed by commit").isFalse();
    }

    @Test
    void emptyOutputsAndByteByByteWritesAcrossBlockBoundaries() throws Exception {
        BlobReference empty = ref("edge/empty.csv");
        store.openWrite(empty, "e1").close();
        store.commit(empty, "e1");
        assertThat(store.size(empty)).isZero();
        assertThat(read(empty)).isEmpty();

        BlobReference odd = ref("edge/odd.bin");
        int size = BlobStore.CHUNK_BYTES + 3;
        try (OutputStream out = store.openWrite(odd, "o1")) {
            for (int i = 0; i < size; i++) {
                out.write(i % 251);
            }
        }
        store.commit(odd, "o1");
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
    void aFailedUploadSurfacesWhenTheStreamCloses() {
        BlobReference noContainer = BlobReference.parse(SharedAzurite.connectionString(), null,
                "missing-" + CONTAINER + "/out.csv", null, policy);
        assertThatThrownBy(() -> {
            try (OutputStream out = store.openWrite(noContainer, "f1")) {
                out.write("some rows\n".getBytes(StandardCharsets.UTF_8));
            }
        }).isInstanceOf(java.io.IOException.class).hasMessageContaining("out.csv.attempt-f1.tmp");
        assertThatThrownBy(() -> store.commit(noContainer, "f1")).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void zombieAttemptNeverReplacesTheCommittedResult() throws Exception {
        BlobReference out = ref("zombie/result.csv");
        write(out, "attemptA", "from A, the zombie\n");
        write(out, "attemptB", "from B, the current attempt\n");
        store.commit(out, "attemptB");
        // the zombie keeps writing after B committed, then is discarded
        write(out, "attemptA", "from A again, still a zombie\n");
        assertThat(read(out)).isEqualTo("from B, the current attempt\n");
        assertThat(store.discard(out, "attemptA")).isTrue();
        assertThat(store.discard(out, "attemptA")).as("second discard finds nothing").isFalse();

        assertThat(read(out)).isEqualTo("from B, the current attempt\n");
        assertThat(admin.listBlobs().stream().map(b -> b.getName()).filter(n -> n.startsWith("zombie/")))
                .containsExactly("zombie/result.csv");
        // committing the discarded attempt is impossible: there is nothing to commit
        BlobNotFoundException e = catchThrowableOfType(BlobNotFoundException.class, () -> store.commit(out, "attemptA"));
        assertThat(e).isNotNull();
        assertThat(e.blobName()).isEqualTo("zombie/result.csv.attempt-attemptA.tmp");
        assertThat(read(out)).isEqualTo("from B, the current attempt\n");
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
        write(out, "r1", csv);
        store.commit(out, "r1");
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
                BlobContainerSasPermission.parse("rwdl")));
        String base = SharedAzurite.endpoint().toString(); // no trailing slash, as some clients send it
        BlobReference in = BlobReference.parse(null, base, "/" + CONTAINER + "/sas/in.csv", token, policy);
        admin.getBlobClient("sas/in.csv").upload(com.azure.core.util.BinaryData.fromString("input via SAS\n"));
        assertThat(read(in)).isEqualTo("input via SAS\n");

        BlobReference out = BlobReference.parse(null, base, CONTAINER + "/sas/out.csv", token, policy).requireUsableAsOutput();
        write(out, "s1", "output via SAS\n");
        store.commit(out, "s1");
        assertThat(admin.getBlobClient("sas/out.csv").downloadContent().toString()).isEqualTo("output via SAS\n");
        assertThat(admin.getBlobClient(BlobStore.temporaryBlobName("sas/out.csv", "s1")).exists()).isFalse();

        ResultLocation loc = store.resultLocation(out);
        assertThat(loc).isEqualTo(new ResultLocation(base + "/", CONTAINER + "/sas/out.csv", token));
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(loc.downloadUrl()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("output via SAS\n");
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
