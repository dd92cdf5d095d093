package io.portmesh.cluster.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The tokens that may use the REST API, each with its role. Only their SHA-256 digests are kept, so a heap dump or a
 * log line of this object shows no token; a presented token is hashed and compared with every digest in constant
 * time ({@link MessageDigest#isEqual}), all of them each time, so that the time taken says nothing of how close a
 * guess came or which entry matched.
 */
public final class BearerTokens {
    /** One accepted token: its role and the SHA-256 of its UTF-8 bytes. */
    record Entry(Role role, byte[] sha256) {
        Entry {
            if (sha256.length != 32) {
                throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + sha256.length);
            }
            sha256 = sha256.clone();
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 32;

    private final List<Entry> entries;

    BearerTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Tokens written as the tokens file writes them ({@code <role> <token>} or {@code <role> sha256:<hex>} a line);
     * for tests and embedders that keep them elsewhere than in a file.
     */
    public static BearerTokens fromLines(List<String> lines) {
        return TokenFile.parse(lines, "tokens");
    }

    /** A new random token: 32 bytes of {@link SecureRandom}, base64url without padding (RFC 6750 token syntax). */
    public static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The tokens file's line for {@code token} with {@code role}: its digest, so that the file holds no secret. */
    public static String fileLine(Role role, String token) {
        return role.configName() + " " + TokenFile.SHA256_PREFIX
                + HexFormat.of().formatHex(sha256(token));
    }

    int size() {
        return entries.size();
    }

    /** The role of {@code token}, or empty when no entry has its digest. */
    Optional<Role> roleOf(String token) {
        byte[] digest = sha256(token);
        Role found = null;
        for (Entry e : entries) {
            // no early exit: every entry is compared whatever the outcome
            if (MessageDigest.isEqual(digest, e.sha256()) && found == null) {
                found = e.role();
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerTokens[" + entries.size() + " tokens]";
    }
}
