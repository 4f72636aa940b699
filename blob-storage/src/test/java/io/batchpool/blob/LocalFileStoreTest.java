package io.batchpool.blob;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Local-file storage: reference checks, the root as a boundary (also through links), attempts and commits. */
class LocalFileStoreTest {
    @TempDir
    Path tmp;
    Path root;
    Path outside;
    LocalFileStore store;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("files"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.csv"), "secret\n");
        store = new LocalFileStore(root);
    }

    static BlobReference.Fields local(String relative) {
        return BlobReference.Fields.ofConnectionString(LocalFileStore.CONNECTION_STRING, relative);
    }

    // --- the reference ----------------------------------------------------------------------------------------

    @Test
    void recognisesLocalFileConnectionStringsWhateverTheirCase() {
        assertThat(LocalFileStore.isLocalFileReference("UseLocalFiles=true")).isTrue();
        assertThat(LocalFileStore.isLocalFileReference(" uselocalfiles = TRUE ;")).isTrue();
        assertThat(LocalFileStore.isLocalFileReference("UseLocalFiles=false")).as("recognised, refused by parse").isTrue();
        assertThat(LocalFileStore.isLocalFileReference("AccountName=a;UseLocalFiles=true")).isTrue();
        assertThat(LocalFileStore.isLocalFileReference("UseDevelopmentStorage=true")).isFalse();
        assertThat(LocalFileStore.isLocalFileReference(null)).isFalse();
    }

    static Stream<Arguments> goodPaths() {
        return Stream.of(
                Arguments.of("census/data.csv", "census/data.csv"),
                Arguments.of("/census/data.csv", "census/data.csv"),
                Arguments.of("data.csv", "data.csv"),
                Arguments.of("a b/ü x.csv", "a b/ü x.csv"),
                Arguments.of("a/..b/c..csv", "a/..b/c..csv"),
                Arguments.of("a/%2e%2ex/b%20c.csv", "a/%2e%2ex/b%20c.csv")); // taken literally
    }

    @ParameterizedTest
    @MethodSource("goodPaths")
    void normalisesGoodPaths(String given, String expected) {
        assertThat(LocalFileStore.parse(local(given))).isEqualTo(expected);
        assertThat(LocalFileStore.parse(new BlobReference.Fields(" uselocalfiles=TRUE; ", "", given, null)))
                .isEqualTo(expected);
        assertThat(store.resolve(given)).isEqualTo(root.resolve(expected));
    }

    static Stream<Arguments> badReferences() {
        return Stream.of(
                Arguments.of("parent", local("../outside/secret.csv"), "RelativeLocation", "'..'"),
                Arguments.of("parent inside", local("a/../../outside/secret.csv"), "RelativeLocation", "'..'"),
                Arguments.of("dot segment", local("./a.csv"), "RelativeLocation", "'.'"),
                Arguments.of("absolute (two slashes)", local("//etc/passwd"), "RelativeLocation", "absolute"),
                Arguments.of("empty segment", local("a//b.csv"), "RelativeLocation", "empty"),
                Arguments.of("a directory", local("dir/"), "RelativeLocation", "directory"),
                Arguments.of("only a slash", local("/"), "RelativeLocation", "directory"),
                Arguments.of("backslash", local("..\\outside\\secret.csv"), "RelativeLocation", "backslash"),
                Arguments.of("encoded parent", local("%2e%2e/outside/secret.csv"), "RelativeLocation", "percent-encoded"),
                Arguments.of("encoded parent, mixed", local("a/.%2E/b.csv"), "RelativeLocation", "percent-encoded"),
                Arguments.of("encoded slash", local("..%2foutside/secret.csv"), "RelativeLocation", "percent-encoded"),
                Arguments.of("encoded backslash", local("..%5Coutside/secret.csv"), "RelativeLocation", "percent-encoded"),
                Arguments.of("drive letter", local("C:/Windows/win.ini"), "RelativeLocation", "colons"),
                Arguments.of("NUL", local("a.csv\u0000.txt"), "RelativeLocation", "control"),
                Arguments.of("newline", local("a\n.csv"), "RelativeLocation", "control"),
                Arguments.of("long segment", local("x".repeat(256) + ".csv"), "RelativeLocation", "255 bytes"),
                Arguments.of("long path", local("a/".repeat(600) + "b.csv"), "RelativeLocation", "1024"),
                Arguments.of("no path", local(null), "RelativeLocation", "required"),
                Arguments.of("blank path", local("  "), "RelativeLocation", "required"),
                Arguments.of("false", new BlobReference.Fields("UseLocalFiles=false", null, "a.csv", null),
                        "ConnectionString", "only be true"),
                Arguments.of("no value", new BlobReference.Fields("UseLocalFiles", null, "a.csv", null),
                        "ConnectionString", "only be true"),
                Arguments.of("other keys", new BlobReference.Fields("UseLocalFiles=true;AccountName=x", null,
                        "a.csv", null), "ConnectionString", "no other settings"),
                Arguments.of("twice", new BlobReference.Fields("UseLocalFiles=true;UseLocalFiles=true", null,
                        "a.csv", null), "ConnectionString", "more than once"),
                Arguments.of("with a SAS", new BlobReference.Fields("UseLocalFiles=true", "https://a.blob.core.windows.net/",
                        "a.csv", "?sig=x"), "ConnectionString", "not both"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badReferences")
    void refusesBadReferencesNamingTheField(String name, BlobReference.Fields fields, String field, String says) {
        InvalidBlobReferenceException e = catchThrowableOfType(InvalidBlobReferenceException.class,
                () -> LocalFileStore.parse(fields));
        assertThat(e).as(name).isNotNull();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.code()).isEqualTo(InvalidBlobReferenceException.INVALID);
        assertThat(e.getMessage()).startsWith(field + ": ").contains(says);
    }

    @Test
    void aLinkInsideTheRootMayNotLeadOutOfIt() throws IOException {
        Files.createSymbolicLink(root.resolve("out-dir"), outside);
        Files.createSymbolicLink(root.resolve("secret.csv"), outside.resolve("secret.csv"));
        Files.createSymbolicLink(root.resolve("dangling.csv"), outside.resolve("not-yet.csv"));
        Files.createDirectories(root.resolve("real"));
        Files.writeString(root.resolve("real/data.csv"), "a\n1\n");
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));

        for (String bad : List.of("out-dir/secret.csv", "out-dir/new/out.csv", "secret.csv")) {
            assertThatThrownBy(() -> store.resolve(bad)).as(bad).isInstanceOf(InvalidBlobReferenceException.class)
                    .hasMessageContaining("outside the local files root").hasMessageNotContaining(tmp.toString());
            BlobStoreException e = catchThrowableOfType(BlobStoreException.class, () -> store.open(bad));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.status()).isEqualTo(403);
        }
        assertThatThrownBy(() -> store.openWrite("out-dir/new/out.csv", "j-1")).isInstanceOf(BlobStoreException.class);
        assertThat(outside.resolve("new")).as("no directory created outside").doesNotExist();

        // a link that stays inside is fine; a dangling one reads as missing and its target is never opened
        try (InputStream in = store.openRead("alias/data.csv")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a\n1\n");
        }
        store.resolve("dangling.csv");
        Files.writeString(outside.resolve("not-yet.csv"), "appeared later\n");
        BlobStoreException late = catchThrowableOfType(BlobStoreException.class, () -> store.open("dangling.csv"));
        assertThat(late.status()).as("checked again when opened").isEqualTo(403);
    }

    @Test
    void directoriesAndFilesInTheWrongPlaceAreNamed() throws IOException {
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("plain.csv"), "x\n");
        assertThatThrownBy(() -> store.resolve("dir/sub")).isInstanceOf(InvalidBlobReferenceException.class)
                .hasMessageContaining("is a directory");
        assertThatThrownBy(() -> store.resolve("plain.csv/x.csv")).isInstanceOf(InvalidBlobReferenceException.class)
                .hasMessageContaining("is a file, not a directory");
        assertThat(catchThrowableOfType(BlobStoreException.class, () -> store.open("dir/sub")).status()).isEqualTo(409);
    }

    @Test
    void aMissingFileIs404NamingThePathUnderTheRootOnly() {
        BlobStoreException e = catchThrowableOfType(BlobStoreException.class, () -> store.openRead("no/such.csv"));
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).contains("'no/such.csv'").doesNotContain(root.toString());
        assertThat(store.exists("no/such.csv")).isFalse();
    }

    @Test
    void anOutputNameMayUseTheWholeSegmentLength() throws IOException {
        String longest = "x".repeat(LocalFileStore.MAX_SEGMENT_BYTES);
        store.resolveOutput("d/" + longest);
        String attempt = "a".repeat(64); // the longest attempt id still names a temporary file
        try (OutputStream out = store.openWrite("d/" + longest, attempt)) {
            out.write(1);
        }
        store.commit("d/" + longest, attempt);
        assertThat(root.resolve("d/" + longest)).hasSize(1);
    }

    /**
     * A job's output is committed once: the committed file carries its attempt (an extended attribute the rename
     * keeps), and a later attempt of the same job finds it, deletes its own temporary file and moves nothing.
     */
    @Test
    void commitOnceMovesAJobsOutputOnceWhicheverAttemptComesFirst() throws IOException {
        java.util.function.Predicate<String> jobX = id -> id.startsWith("jobX-");
        for (String attempt : List.of("jobW-1", "jobX-1", "jobX-2")) {
            try (OutputStream out = store.openWrite("once/out.csv", attempt)) {
                out.write(("from " + attempt + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(store.commitOnce("once/out.csv", "jobW-1", jobX)).isEqualTo("jobW-1");
        assertThat(store.commitOnce("once/out.csv", "jobX-1", jobX)).as("another job's file is replaced")
                .isEqualTo("jobX-1");
        Object inode = java.nio.file.Files.readAttributes(root.resolve("once/out.csv"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(store.commitOnce("once/out.csv", "jobX-2", jobX)).isEqualTo("jobX-1");
        assertThat(root.resolve("once/out.csv")).hasContent("from jobX-1");
        assertThat(java.nio.file.Files.readAttributes(root.resolve("once/out.csv"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        assertThat(store.temporaryFile("once/out.csv", "jobX-2")).as("its temporary file is gone").doesNotExist();
    }

    // --- accounts ----------------------------------------------------------------------------------------------

    @Test
    void anAccountsStoreIsConfinedToItsDirectoryAndCreatesItOnlyWhenWriting() throws IOException {
        LocalFileStore a = store.forAccount("aaaa");
        LocalFileStore b = store.forAccount("bbbb");
        assertThat(a.resolve("in/data.csv")).isEqualTo(root.resolve("aaaa/in/data.csv"));
        assertThat(root.resolve("aaaa")).as("checking creates nothing").doesNotExist();
        try (OutputStream out = b.openWrite("out/scored.csv", "job-1")) {
            out.write("B's rows\n".getBytes(StandardCharsets.UTF_8));
        }
        b.commit("out/scored.csv", "job-1");
        assertThat(root.resolve("bbbb/out/scored.csv")).hasContent("B's rows");

        // A names B's file every way it could: the path stays under A's directory, or is refused
        assertThat(catchThrowableOfType(BlobStoreException.class, () -> a.openRead("out/scored.csv")).status())
                .isEqualTo(404);
        for (String escape : List.of("../bbbb/out/scored.csv", "/../bbbb/out/scored.csv", "..%2fbbbb/out/scored.csv",
                "%2e%2e/bbbb/out/scored.csv",
                "..\\bbbb\\out\\scored.csv", "//" + root.resolve("bbbb/out/scored.csv"))) {
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> a.openRead(escape));
            assertThat(refused).as(escape).isInstanceOfAny(InvalidBlobReferenceException.class, BlobStoreException.class);
        }
        Files.createDirectories(root.resolve("aaaa"));
        Files.createSymbolicLink(root.resolve("aaaa/b-link"), root.resolve("bbbb"));
        assertThatThrownBy(() -> a.resolve("b-link/out/scored.csv")).isInstanceOf(InvalidBlobReferenceException.class)
                .hasMessageContaining("outside");
        assertThat(catchThrowableOfType(BlobStoreException.class, () -> a.openWrite("b-link/out/scored.csv", "job-2"))
                .status()).isEqualTo(403);
        assertThat(root.resolve("bbbb/out/scored.csv")).as("B's file untouched").hasContent("B's rows");

        // an account's directory that is a link is refused as a whole
        Files.createSymbolicLink(root.resolve("cccc"), root.resolve("bbbb"));
        assertThatThrownBy(() -> store.forAccount("cccc")).isInstanceOf(java.io.UncheckedIOException.class);
        for (String bad : List.of("", ".staging", "..", "a/b", "-a", "a".repeat(65))) {
            assertThatThrownBy(() -> store.forAccount(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anAccountsFileIsSealedForItsAccountOnly() {
        SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        String sealed = LocalFileStore.sealAccount(cipher, "aaaa");
        assertThat(sealed).startsWith("v1:").doesNotContain("aaaa");
        assertThat(LocalFileStore.openAccountSeal(cipher, sealed)).isEqualTo("aaaa");
        assertThatThrownBy(() -> LocalFileStore.openAccountSeal(cipher, cipher.encrypt("aaaa")))
                .as("a credential sealed for another purpose is no account").isInstanceOf(RuntimeException.class);
    }

    // --- attempts and commits -------------------------------------------------------------------------------------

    @Test
    void anAttemptWritesATemporaryFileOutsideTheNamespaceThatOnlyCommitMovesOntoTheName() throws IOException {
        String out = "/results/run 1/scored.csv";
        try (OutputStream o = store.openWrite(out, "job-1")) {
            o.write("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
        }
        Path tmpFile = store.temporaryFile(out, "job-1");
        assertThat(tmpFile.getParent()).isEqualTo(root.resolve(LocalFileStore.STAGING_DIRECTORY));
        assertThat(tmpFile.getFileName().toString()).matches("[0-9a-f]{32}\\.attempt-job-1\\.tmp");
        assertThat(tmpFile).hasContent("a,b\n1,2");
        assertThat(filesIn(root.resolve("results/run 1"))).as("nothing next to the output, nothing at its name").isEmpty();
        assertThat(store.exists(out)).isFalse();

        store.commit(out, "job-1");
        assertThat(root.resolve("results/run 1/scored.csv")).hasContent("a,b\n1,2");
        assertThat(tmpFile).doesNotExist();
        assertThat(store.exists(out)).isTrue();
        Path other = store.forAccount("aaaa").temporaryFile(out, "job-1");
        assertThat(other).as("one temporary file per account and path").isNotEqualTo(tmpFile);
        assertThat(other.getParent()).isEqualTo(tmpFile.getParent());
    }

    @Test
    void whatCrashedAttemptsLeftIsRemovedOnceStale() throws IOException {
        LocalFileStore a = store.forAccount("aaaa");
        try (OutputStream o = a.openWrite("out.csv", "crashed-1")) {
            o.write(1);
        }
        try (OutputStream o = a.openWrite("out.csv", "running-2")) {
            o.write(2);
        }
        Path crashed = a.temporaryFile("out.csv", "crashed-1");
        Files.setLastModifiedTime(crashed, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(2))));
        assertThat(store.removeStaleStaging(java.time.Instant.now().minus(java.time.Duration.ofDays(1)))).isEqualTo(1);
        assertThat(crashed).doesNotExist();
        assertThat(a.temporaryFile("out.csv", "running-2")).as("a recent attempt's file stays").exists();
        a.commit("out.csv", "running-2");
        assertThat(root.resolve("aaaa/out.csv")).hasSize(1);
        assertThat(filesIn(root.resolve(LocalFileStore.STAGING_DIRECTORY))).isEmpty();
    }

    static List<String> filesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aZombieAttemptNeverReplacesTheCommittedFileAndIsDiscarded() throws IOException {
        String out = "r/out.csv";
        try (OutputStream current = store.openWrite(out, "job-2"); OutputStream zombie = store.openWrite(out, "job-1")) {
            current.write("current\n".getBytes(StandardCharsets.UTF_8));
            zombie.write("zombie\n".getBytes(StandardCharsets.UTF_8));
        }
        store.commit(out, "job-2");
        assertThat(store.discard(out, "job-1")).isTrue();
        assertThat(store.discard(out, "job-1")).as("nothing left to discard").isFalse();
        assertThat(store.discard("never/written.csv", "job-1")).isFalse();
        assertThat(root.resolve(out)).hasContent("current");
        try (Stream<Path> files = Files.list(root.resolve("r"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("out.csv");
        }
        BlobStoreException nothing = catchThrowableOfType(BlobStoreException.class, () -> store.commit(out, "job-1"));
        assertThat(nothing.status()).as("a discarded attempt has nothing to commit").isEqualTo(404);
        assertThat(root.resolve(out)).hasContent("current");
    }

    @Test
    void aCommitReplacesTheNameItselfNeverWritingThroughALink() throws IOException {
        Files.createDirectories(root.resolve("r"));
        Files.writeString(root.resolve("r/other.csv"), "other\n");
        Files.createSymbolicLink(root.resolve("r/out.csv"), root.resolve("r/other.csv"));
        try (OutputStream o = store.openWrite("r/out.csv", "job-1")) {
            o.write("new\n".getBytes(StandardCharsets.UTF_8));
        }
        store.commit("r/out.csv", "job-1");
        assertThat(Files.isSymbolicLink(root.resolve("r/out.csv"))).isFalse();
        assertThat(root.resolve("r/out.csv")).hasContent("new");
        assertThat(root.resolve("r/other.csv")).as("the link's target is untouched").hasContent("other");

        // an output named by a link that leads out of the root is refused before anything is written
        Files.createSymbolicLink(root.resolve("r/escape.csv"), outside.resolve("secret.csv"));
        BlobStoreException e = catchThrowableOfType(BlobStoreException.class,
                () -> store.openWrite("r/escape.csv", "job-1"));
        assertThat(e.status()).isEqualTo(403);
        assertThat(store.temporaryFile("r/escape.csv", "job-1")).doesNotExist();
        assertThat(outside.resolve("secret.csv")).hasContent("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "x y", "a234567890123456789012345678901234567890123456789012345678901234x"})
    void attemptIdsAreChecked(String attemptId) {
        assertThatThrownBy(() -> store.openWrite("o.csv", attemptId)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * 300 MB through openWrite, commit and openRead under the module's 256 MB heap: both directions stream (a whole
     * file in memory would not fit).
     */
    @Test
    void streamsFilesLargerThanTheHeap() throws Exception {
        long size = 300L << 20;
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31 + 7);
        }
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = store.openWrite("big/data.bin", "big-1")) {
            for (long n = 0; n < size; n += chunk.length) {
                chunk[0] = (byte) n;
                out.write(chunk);
                written.update(chunk);
            }
        }
        store.commit("big/data.bin", "big-1");
        assertThat(Files.size(root.resolve("big/data.bin"))).isEqualTo(size);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(store.openRead("big/data.bin"), read)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        assertThat(Arrays.equals(read.digest(), written.digest())).isTrue();
        assertThat(Runtime.getRuntime().maxMemory()).as("the test's premise: the heap is smaller than the file")
                .isLessThan(size);
        store.deleteIfExists("big/data.bin");
    }
}
