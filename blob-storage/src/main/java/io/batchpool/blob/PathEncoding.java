package io.batchpool.blob;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of blob names for URLs: every byte outside RFC 3986's unreserved set, except '/', is encoded. */
final class PathEncoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathEncoding() {
    }

    static String encodePath(String blobName) {
        StringBuilder out = new StringBuilder(blobName.length() + 16);
        for (byte b : blobName.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
