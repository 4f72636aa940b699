package io.batchpool.blob;

import java.util.Objects;

/** How Batchpool authenticates to a blob: the account's shared key, or a SAS token the client gave. */
public sealed interface BlobCredential permits BlobCredential.SharedKey, BlobCredential.Sas {

    /** An account name and key, from a connection string. {@link #toString()} never shows the key. */
    record SharedKey(String accountName, String accountKey) implements BlobCredential {
        public SharedKey {
            Objects.requireNonNull(accountName, "accountName");
            Objects.requireNonNull(accountKey, "accountKey");
        }

        @Override
        public String toString() {
            return "SharedKey[accountName=" + accountName + ", accountKey=***]";
        }
    }

    /** A shared access signature; the token starts with {@code ?}. {@link #toString()} never shows the signature. */
    record Sas(String token) implements BlobCredential {
        public Sas {
            Objects.requireNonNull(token, "token");
            if (!token.startsWith("?")) {
                throw new IllegalArgumentException("a SAS token starts with '?'");
            }
        }

        /** The value of a query parameter of the token ({@code sr}, {@code sp}, ...), or null. */
        public String parameter(String name) {
            return SasTokens.parameter(token, name);
        }

        @Override
        public String toString() {
            return "Sas[token=" + SasTokens.redact(token) + "]";
        }
    }
}
