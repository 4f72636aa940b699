package io.batchpool.blob;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Job inputs and outputs as files under one root directory: the local-file storage of the embedded default
 * (DESIGN §3), for a gateway and agents that see the same directory (one machine, or a shared volume).
 * <p>
 * A client names a file with the AzureBlobDataReference {@code {"ConnectionString": "UseLocalFiles=true",
 * "RelativeLocation": "dir/data.csv"}} (leading slash optional, as for blobs): {@link #parse(BlobReference.Fields)}
 * checks the fields and returns the normalised path; {@link #resolve(String)} also checks that the file stays under
 * the root through symbolic links. Paths are taken literally (no percent-decoding); {@code .}, {@code ..} and empty
 * segments, backslashes and control characters are refused, so a path can only go down from the root.
 * <p>
 * Accounts: the services never use the root itself for files but {@link #forAccount}, a store whose root is
 * {@code <root>/<accountId>}; a path can only go down from there, so one account never names another's files.
 * <p>
 * Outputs: each attempt writes a temporary file in the staging directory {@code <root>/.staging} (outside every
 * account's directory: account ids never start with a dot) and only {@link #commit} (for the attempt the dispatcher
 * still considers current) moves it onto the final name, atomically ({@code rename(2)}); {@link #discard} deletes a
 * zombie's temporary file, and {@link #removeStaleStaging} what crashed attempts left.
 * Reads and writes stream. Failures are {@link BlobStoreException}s whose status says whose fault they are: 404 a
 * missing file, 403 a path that leaves the root, 409 a directory where a file is expected, 0 an I/O error. Messages
 * name the path under the root, never the root itself. Thread-safe.
 */
public final class LocalFileStore {
    /** The connection string that names a local file. */
    public static final String CONNECTION_STRING = "UseLocalFiles=true";
    static final String KEY = "uselocalfiles";
    /** Longest path under the root, in characters (as for a blob name). */
    static final int MAX_PATH = 1024;
    /** Longest path segment in UTF-8 bytes (the common file-system limit). */
    static final int MAX_SEGMENT_BYTES = 255;
    /** The user extended attribute that names the attempt a committed file came from. */
    static final String ATTEMPT_ATTRIBUTE = "batchpool.attempt";
    /** Commits of this process, one at a time: reading a file's mark and moving onto it are one step. */
    private static final Object COMMITS = new Object();
    /** The directory under the root where attempts write their outputs until commit. */
    public static final String STAGING_DIRECTORY = ".staging";
    /** An account id as a directory name: no dot in front (so never the staging directory), no separator. */
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern ATTEMPT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int BUFFER = 64 * 1024;
    /** The cipher context of a sealed account: a sealed credential can never pass for one. */
    private static final String SEAL_CONTEXT = "local-files-account";

    private final Path root;
    /** Where attempts write before commit (real path, same file system as the root). */
    private final Path staging;
    /** The account of a {@link #forAccount} store, "" for the root store: part of the temporary files' names. */
    private final String account;

    /**
     * @param root the directory holding the files; created if missing. Kept as its real path, so that a root that
     *             is itself reached through a symbolic link (e.g. {@code /tmp} on some systems) works
     * @throws UncheckedIOException if it cannot be created or is not a directory
     */
    public LocalFileStore(Path root) {
        Objects.requireNonNull(root, "root");
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
            this.staging = Files.createDirectories(this.root.resolve(STAGING_DIRECTORY)).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("local files root " + root + " cannot be used: " + e.getMessage(), e);
        }
        this.account = "";
    }

    private LocalFileStore(Path root, Path staging, String account) {
        this.root = root;
        this.staging = staging;
        this.account = account;
    }

    /**
     * The files of one account: a store whose root is {@code <root>/<accountId>} (created if missing), sharing this
     * store's staging directory. Every path of the returned store stays under the account's directory, also through
     * symbolic links; the account's directory itself must be a real directory (not a link), made when the account's
     * first output is written.
     *
     * @throws IllegalArgumentException if the account id could not be a directory name under the root
     * @throws UncheckedIOException     if the account's name under the root is a link or a file
     */
    public LocalFileStore forAccount(String accountId) {
        if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
            throw new IllegalArgumentException("an account id must be 1 to 64 letters, digits, '-' or '_', not "
                    + "starting with '-' or '_'");
        }
        Path dir = root.resolve(accountId);
        // created by the first output written, not here: checking a reference changes nothing
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UncheckedIOException(new IOException("the directory of account " + accountId
                    + " is not a directory (a link or a file)"));
        }
        return new LocalFileStore(dir, staging, accountId);
    }

    /**
     * The account a local-file reference belongs to, sealed for the wire ({@code BlobLocation.sealedCredential}): the
     * gateway seals the submitting account, the agent opens it and works under that account's directory only.
     */
    public static String sealAccount(SecretCipher cipher, String accountId) {
        return cipher.encrypt(accountId, SEAL_CONTEXT);
    }

    /** The account id {@link #sealAccount} sealed. @throws SecretCipher.DecryptionException if it was not that */
    public static String openAccountSeal(SecretCipher cipher, String sealed) {
        return cipher.decrypt(sealed, SEAL_CONTEXT);
    }

    /** The root directory (its real path). */
    public Path root() {
        return root;
    }

    /**
     * Deletes the temporary files in the staging directory last written before {@code cutoff}: what attempts left
     * that crashed (or whose process ended) before their commit or discard. Never touches a committed file.
     *
     * @return how many were deleted
     */
    public int removeStaleStaging(Instant cutoff) {
        int removed = 0;
        try (Stream<Path> files = Files.list(staging)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                try {
                    FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
                    if (modified.toInstant().isBefore(cutoff) && Files.deleteIfExists(file)) {
                        removed++;
                    }
                } catch (IOException e) {
                    // gone meanwhile (committed or discarded by its attempt), or not ours to delete: leave it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the staging directory cannot be listed: " + e.getMessage(), e);
        }
        return removed;
    }

    /** Whether a ConnectionString names a local file: it has a {@code UseLocalFiles} key (whatever the rest says). */
    public static boolean isLocalFileReference(String connectionString) {
        if (connectionString == null) {
            return false;
        }
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            if (key.equals(KEY)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks the fields of a local-file reference (no store needed): ConnectionString exactly
     * {@code UseLocalFiles=true}, no BaseLocation or SasBlobToken, a RelativeLocation that {@link #normalise}
     * accepts.
     *
     * @return the normalised path under the root, e.g. {@code dir/data.csv}
     * @throws InvalidBlobReferenceException naming the field at fault
     */
    public static String parse(BlobReference.Fields fields) {
        Objects.requireNonNull(fields, "fields");
        String cs = fields.connectionString() == null ? "" : fields.connectionString().trim();
        boolean sawKey = false;
        for (String part : cs.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim();
            if (!key.equalsIgnoreCase(KEY)) {
                throw new InvalidBlobReferenceException(BlobReference.CONNECTION_STRING,
                        "UseLocalFiles=true takes no other settings; the file is named by RelativeLocation alone");
            }
            if (sawKey) {
                throw new InvalidBlobReferenceException(BlobReference.CONNECTION_STRING,
                        "key UseLocalFiles appears more than once");
            }
            sawKey = true;
            if (eq < 0 || !part.substring(eq + 1).trim().equalsIgnoreCase("true")) {
                throw new InvalidBlobReferenceException(BlobReference.CONNECTION_STRING, "UseLocalFiles can only be true");
            }
        }
        if (!sawKey) {
            throw new InvalidBlobReferenceException(BlobReference.CONNECTION_STRING,
                    "a local file is named by the ConnectionString " + CONNECTION_STRING);
        }
        if (!isBlank(fields.baseLocation()) || !isBlank(fields.sasBlobToken())) {
            throw new InvalidBlobReferenceException(BlobReference.CONNECTION_STRING,
                    "give either ConnectionString, or BaseLocation with SasBlobToken, not both");
        }
        return normalise(fields.relativeLocation());
    }

    /**
     * The path under the root as a client wrote it, checked: one leading slash is dropped (clients write
     * {@code /dir/data.csv} as for blobs); then it must be relative segments separated by {@code /}, none of them
     * empty, {@code .} or {@code ..} (nor percent-encoded: {@code %2e%2e}, or a segment with {@code %2f} or
     * {@code %5c}), without backslashes, colons or control characters (NUL included), each at most
     * {@value #MAX_SEGMENT_BYTES} bytes, at most {@value #MAX_PATH} characters in all.
     *
     * @throws InvalidBlobReferenceException (field RelativeLocation) saying what is wrong
     */
    public static String normalise(String relativeLocation) {
        String field = BlobReference.RELATIVE_LOCATION;
        if (isBlank(relativeLocation)) {
            throw new InvalidBlobReferenceException(field,
                    "is required: the file's path under the local files root, e.g. 'census/data.csv'");
        }
        String rel = relativeLocation.startsWith("/") ? relativeLocation.substring(1) : relativeLocation;
        if (rel.isEmpty()) {
            throw new InvalidBlobReferenceException(field, "must name a file under the local files root, not the root "
                    + "directory itself");
        }
        if (rel.length() > MAX_PATH) {
            throw new InvalidBlobReferenceException(field, "is longer than " + MAX_PATH + " characters");
        }
        for (int i = 0; i < rel.length(); i++) {
            char c = rel.charAt(i);
            if (Character.isISOControl(c) || c == '\\' || c == ':') {
                throw new InvalidBlobReferenceException(field, "a local file path must not contain control "
                        + "characters, backslashes or colons; separate directories with '/'");
            }
        }
        if (rel.startsWith("/")) {
            throw new InvalidBlobReferenceException(field, "must be a path under the local files root, not an "
                    + "absolute path (e.g. 'census/data.csv')");
        }
        if (rel.endsWith("/")) {
            throw new InvalidBlobReferenceException(field, "must name a file, not a directory (it ends with '/')");
        }
        for (String segment : rel.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidBlobReferenceException(field, "must stay under the local files root: no empty, "
                        + "'.' or '..' path segments");
            }
            String lower = segment.toLowerCase(Locale.ROOT);
            String decodedDots = lower.replace("%2e", ".");
            if (lower.contains("%2f") || lower.contains("%5c") || decodedDots.equals(".") || decodedDots.equals("..")) {
                // taken literally it would stay inside; refused all the same, since a client meant to leave
                throw new InvalidBlobReferenceException(field, "must stay under the local files root: no "
                        + "percent-encoded '.', '..', '/' or '\\' path segments");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw new InvalidBlobReferenceException(field, "a path segment is longer than "
                        + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        return rel;
    }

    /**
     * The file of a path under the root, checked: normalised as by {@link #normalise}, and the deepest part of it
     * that exists now must really be under the root (a symbolic link inside the root may point elsewhere inside it,
     * not outside) and be a directory, the file itself not a directory. {@link #open} and {@link #openWrite} check
     * again when they touch the file.
     *
     * @throws InvalidBlobReferenceException (field RelativeLocation) if it leaves the root or names a directory
     */
    public Path resolve(String relativeLocation) {
        String rel = normalise(relativeLocation);
        try {
            return locate(rel);
        } catch (BlobStoreException e) {
            throw new InvalidBlobReferenceException(BlobReference.RELATIVE_LOCATION, e.getMessage());
        }
    }

    /** Checks a path as a job output: {@link #resolve} (the temporary file of an attempt is not next to it). */
    public Path resolveOutput(String relativeLocation) {
        return resolve(relativeLocation);
    }

    /**
     * Opens the file for reading: its real path must be under the root (checked now, the file is then opened by that
     * real path without following a link in its last segment).
     *
     * @throws BlobStoreException 404 if it does not exist, 403 if it leaves the root, 409 if it is a directory
     */
    public SeekableByteChannel open(String relativeLocation) {
        String rel = normalise(relativeLocation);
        Path file = locate(rel);
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw notFound(rel, e);
        } catch (IOException e) {
            throw ioError("reading", rel, e);
        }
        if (!real.startsWith(root)) {
            throw outside(rel);
        }
        if (Files.isDirectory(real)) {
            throw new BlobStoreException("local file '" + rel + "' is a directory, not a file", 409, "IsADirectory", null);
        }
        try {
            return Files.newByteChannel(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw notFound(rel, e);
        } catch (IOException e) {
            throw ioError("reading", rel, e);
        }
    }

    /** {@link #open} as a buffered stream. */
    public InputStream openRead(String relativeLocation) {
        return new BufferedInputStream(Channels.newInputStream(open(relativeLocation)), BUFFER);
    }

    /** Whether the file exists (under the root). */
    public boolean exists(String relativeLocation) {
        return Files.isRegularFile(locate(normalise(relativeLocation)));
    }

    /**
     * The path percent-encoded for a URL (every byte outside RFC 3986's unreserved characters, except '/'), e.g. for a
     * download link that serves the file.
     */
    public static String urlPath(String relativeLocation) {
        return PathEncoding.encodePath(normalise(relativeLocation));
    }

    /**
     * The temporary file an attempt writes for an output: in the staging directory, named by a hash of the account
     * and the path and by the attempt, {@code <32 hex>.attempt-<attemptId>.tmp}.
     */
    Path temporaryFile(String relativeLocation, String attemptId) {
        if (attemptId == null || !ATTEMPT_ID.matcher(attemptId).matches()) {
            throw new IllegalArgumentException("attempt id must be 1 to 64 letters, digits, '-' or '_'");
        }
        String rel = normalise(relativeLocation);
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest((account + "\n" + rel).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        return staging.resolve(HexFormat.of().formatHex(hash, 0, 16) + ".attempt-" + attemptId + ".tmp");
    }

    /**
     * Opens a stream that writes this attempt's temporary file in the staging directory (replacing an earlier try of
     * the same attempt), creating the output's directories when missing. {@code close()} flushes and forces the data
     * to disk. Nothing appears under the final name until {@link #commit}, and nothing at all in the account's
     * directory but the output's directories.
     */
    public OutputStream openWrite(String relativeLocation, String attemptId) {
        String rel = normalise(relativeLocation);
        Path tmp = temporaryFile(rel, attemptId);
        directoryOf(rel, true);
        FileChannel channel;
        try {
            channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw ioError("writing", rel, e);
        }
        return new SyncedOutput(channel);
    }

    /**
     * Moves the attempt's temporary file onto the final name, atomically (replacing an earlier result). Call it only
     * for the current attempt: the last commit wins.
     *
     * @throws BlobStoreException 404 if the attempt wrote nothing
     */
    public void commit(String relativeLocation, String attemptId) {
        commitOnce(relativeLocation, attemptId, other -> false);
    }

    /**
     * Commits unless an attempt of the same job already did (DESIGN §3: a job's output is committed once), as
     * {@link StagedBlob#commitOnce} does for a blob. The temporary file is marked with its attempt id (a user extended
     * attribute, {@value #ATTEMPT_ATTRIBUTE}, which the rename keeps), and the commit first reads the mark of the file
     * under the final name: if {@code sameJob} accepts it, that attempt's output is already there, this attempt's
     * temporary file is deleted and nothing moves. The read and the move are one step for this process (the agent is
     * the only writer of an account's outputs). On a file system without user extended attributes nothing is marked
     * and every commit moves, as {@link #commit}.
     *
     * @return the id of the attempt whose output the file now is: this one, or the one of the same job before it
     * @throws BlobStoreException 404 if the attempt wrote nothing
     */
    public String commitOnce(String relativeLocation, String attemptId, java.util.function.Predicate<String> sameJob) {
        String rel = normalise(relativeLocation);
        Path tmp = temporaryFile(rel, attemptId);
        Path dir = directoryOf(rel, false);
        Path target = dir.resolve(Path.of(rel).getFileName());
        synchronized (COMMITS) {
            if (!Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS)) {
                throw new BlobStoreException("committing local file '" + rel + "': attempt " + attemptId
                        + " wrote nothing", 404, "FileNotFound", null);
            }
            try {
                String committedBy = attemptMark(target);
                if (committedBy != null && sameJob.test(committedBy)) {
                    Files.deleteIfExists(tmp);
                    return committedBy;
                }
                mark(tmp, attemptId);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw ioError("committing", rel, e);
            }
        }
        syncDirectory(dir);
        return attemptId;
    }

    /** The attempt a committed file came from, or null (no file, no mark, or no extended attributes here). */
    static String attemptMark(Path file) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            if (!view.list().contains(ATTEMPT_ATTRIBUTE)) {
                return null;
            }
            ByteBuffer value = ByteBuffer.allocate(view.size(ATTEMPT_ATTRIBUTE));
            view.read(ATTEMPT_ATTRIBUTE, value);
            return new String(value.array(), 0, value.position(), StandardCharsets.US_ASCII);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void mark(Path file, String attemptId) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        try {
            view.write(ATTEMPT_ATTRIBUTE, ByteBuffer.wrap(attemptId.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | UnsupportedOperationException e) {
            // no user extended attributes on this file system: commits are unconditional (documented)
        }
    }

    /** Deletes the attempt's temporary file, if any (a zombie, revoked or failed attempt). False if there was none. */
    public boolean discard(String relativeLocation, String attemptId) {
        String rel = normalise(relativeLocation);
        try {
            return Files.deleteIfExists(temporaryFile(rel, attemptId));
        } catch (IOException e) {
            throw ioError("discarding", rel, e);
        }
    }

    /** Deletes the file (tests and clean-up). False if there was none. */
    public boolean deleteIfExists(String relativeLocation) {
        String rel = normalise(relativeLocation);
        Path file = locate(rel);
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw ioError("deleting", rel, e);
        }
    }

    @Override
    public String toString() {
        return "LocalFileStore[" + root + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** {@link #resolve} of a normalised path, failing with the status of a store operation (403 or 409). */
    private Path locate(String rel) {
        Path file = root.resolve(rel).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw outside(rel);
        }
        for (Path probe = file; probe != null && probe.startsWith(root); probe = probe.getParent()) {
            Path real;
            try {
                real = probe.toRealPath();
            } catch (IOException e) {
                // not there (yet), a dangling link, or below a file (ENOTDIR): its directory says more
                continue;
            }
            if (!real.startsWith(root)) {
                throw outside(rel);
            }
            if (probe.equals(root)) {
                break;
            }
            if (probe.equals(file) && Files.isDirectory(real)) {
                throw new BlobStoreException("'" + rel + "' is a directory under the local files root, not a file",
                        409, "IsADirectory", null);
            }
            if (!probe.equals(file) && !Files.isDirectory(real)) {
                throw new BlobStoreException("'" + root.relativize(probe) + "' (in '" + rel + "') is a file, not a "
                        + "directory", 409, "NotADirectory", null);
            }
            break;
        }
        return file;
    }

    /**
     * The real directory of an output (created when {@code create}), checked to be under the root before anything is
     * created in it and again after.
     */
    private Path directoryOf(String rel, boolean create) {
        Path dir = locate(rel).getParent();
        try {
            if (create) {
                Files.createDirectories(dir);
            }
            Path real = dir.toRealPath();
            if (!real.startsWith(root)) {
                throw outside(rel);
            }
            return real;
        } catch (NoSuchFileException e) {
            throw notFound(rel, e);
        } catch (IOException e) {
            throw ioError("writing", rel, e);
        }
    }

    /** After a rename, the directory entry itself must reach the disk for the commit to survive a crash. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported on every platform; the rename is atomic all the same
        }
    }

    private static BlobStoreException notFound(String rel, Exception cause) {
        return new BlobStoreException("local file '" + rel + "' does not exist", 404, "FileNotFound", cause);
    }

    private static BlobStoreException ioError(String operation, String rel, IOException e) {
        if (e instanceof AccessDeniedException) {
            return new BlobStoreException(operation + " local file '" + rel + "' failed: access denied", 403,
                    "AccessDenied", e);
        }
        // FileSystemException messages start with the absolute path: keep only the reason
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getClass().getSimpleName();
        return new BlobStoreException(operation + " local file '" + rel + "' failed: " + reason, 0, null, e);
    }

    private static BlobStoreException outside(String rel) {
        return new BlobStoreException("'" + rel + "' leads outside the local files root (through a symbolic link)",
                403, "PathOutsideRoot", null);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Buffered writes to a file channel; {@code close()} flushes, forces to disk and closes. */
    private static final class SyncedOutput extends OutputStream {
        private final FileChannel channel;
        private final BufferedOutputStream out;
        private boolean closed;

        SyncedOutput(FileChannel channel) {
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try (FileChannel c = channel) {
                out.flush();
                c.force(true);
            }
        }
    }
}
