package io.batchpool.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's root directory (the one holding {@code mvnw}), found from the working directory upwards. */
public final class ProjectRoot {
    private ProjectRoot() {
    }

    public static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("bin"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no project root (with mvnw and bin/) above " + Path.of("").toAbsolutePath());
    }
}
