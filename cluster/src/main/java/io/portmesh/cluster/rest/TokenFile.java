package io.portmesh.cluster.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the REST API's tokens file ({@code portmesh.rest.auth.tokens-file}): one token a line, {@code <role> <token>},
 * where the role is {@code read-only} or {@code admin} and the token is either {@code sha256:<64 hex digits>} (the
 * SHA-256 of the token's UTF-8 bytes, so that the file holds no secret) or the token itself. Blank lines and lines
 * starting with {@code #} are skipped. Every refusal names the line, never its token.
 */
final class TokenFile {
    static final String SHA256_PREFIX = "sha256:";
    /** A token as RFC 6750 lets a client send it ({@code b64token}). */
    static final Pattern TOKEN_SYNTAX = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    /** Shorter tokens can be guessed; 16 characters of base64 or hex are at least 64 random bits. */
    static final int MIN_TOKEN_LENGTH = 16;

    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern FIELDS = Pattern.compile("\\s+");

    private TokenFile() {}

    static BearerTokens read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the REST tokens file " + file + ": " + e, e);
        }
        return parse(lines, file.toString());
    }

    static BearerTokens parse(List<String> lines, String source) {
        List<BearerTokens.Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] fields = FIELDS.split(line);
            if (fields.length != 2) {
                throw new IllegalArgumentException(
                        where + "expected '<role> <token>' (two fields), found " + fields.length);
            }
            Role role;
            try {
                role = Role.parse(fields[0]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
            entries.add(new BearerTokens.Entry(role, digest(fields[1], where)));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(
                    source + ": no tokens; with authentication on, nobody could use the API");
        }
        return new BearerTokens(entries);
    }

    private static byte[] digest(String token, String where) {
        if (token.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
            String hex = token.substring(SHA256_PREFIX.length());
            if (!HEX64.matcher(hex).matches()) {
                throw new IllegalArgumentException(where + "a sha256: token is followed by 64 hex digits");
            }
            return HexFormat.of().parseHex(hex);
        }
        if (!TOKEN_SYNTAX.matcher(token).matches()) {
            throw new IllegalArgumentException(where + "the token has characters a bearer token cannot have"
                    + " (letters, digits, - . _ ~ + / and trailing =)");
        }
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException(where + "the token is shorter than " + MIN_TOKEN_LENGTH
                    + " characters; make one with: portmeshctl token");
        }
        return BearerTokens.sha256(token);
    }
}
