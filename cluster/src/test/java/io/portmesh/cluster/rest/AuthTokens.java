package io.portmesh.cluster.rest;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** The tokens of the authentication tests: an admin one written as its digest, a read-only one written plain. */
public final class AuthTokens {
    public static final String ADMIN = "admin-token-0123456789abcdef";
    public static final String READ_ONLY = "read-token-0123456789abcdef";

    private AuthTokens() {}

    public static String digestOf(String token) {
        return HexFormat.of().formatHex(BearerTokens.sha256(token));
    }

    public static BearerTokens tokens() {
        return BearerTokens.fromLines(List.of(
                "# the admin's token as its digest, the reader's as itself",
                "admin sha256:" + digestOf(ADMIN),
                "read-only " + READ_ONLY));
    }

    /** Defaults with authentication on, these tokens, and {@code openPaths} open. */
    public static RestSettings settings(Set<String> openPaths) {
        return RestSettings.DEFAULTS.withAuth(RestAuth.withTokens(tokens(), openPaths));
    }

    public static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }
}
