package io.batchpool.blob;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Small helpers for SAS query strings. */
final class SasTokens {
    private SasTokens() {
    }

    /** The token with the value of {@code sig} replaced, safe to log and show. Null stays null. */
    static String redact(String token) {
        if (token == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        String body = token.startsWith("?") ? token.substring(1) : token;
        out.append(token.startsWith("?") ? "?" : "");
        String[] params = body.split("&", -1);
        for (int i = 0; i < params.length; i++) {
            String p = params[i];
            int eq = p.indexOf('=');
            String name = eq < 0 ? p : p.substring(0, eq);
            if (i > 0) {
                out.append('&');
            }
            if (name.equalsIgnoreCase("sig")) {
                out.append(name).append("=REDACTED");
            } else {
                out.append(p);
            }
        }
        return out.toString();
    }

    /** The decoded value of a query parameter of the token, or null when absent. */
    static String parameter(String token, String name) {
        String body = token.startsWith("?") ? token.substring(1) : token;
        for (String p : body.split("&")) {
            int eq = p.indexOf('=');
            String n = eq < 0 ? p : p.substring(0, eq);
            if (n.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
