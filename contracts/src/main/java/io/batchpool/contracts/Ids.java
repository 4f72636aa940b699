package io.batchpool.contracts;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Ids are 32 lowercase hex characters with no dashes, as in Azure ML (e.g. 8dfc151b0d3e446497b845f3b29ef53b). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    private Ids() {
    }

    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
