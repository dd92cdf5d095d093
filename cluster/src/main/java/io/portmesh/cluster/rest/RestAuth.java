package io.portmesh.cluster.rest;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Who may use the REST API ({@code portmesh.rest.auth}): off (anyone who reaches the port may do anything), or bearer
 * tokens with a role each, where the paths in {@code openPaths} (health, and metrics if the operator lists it) answer
 * without one.
 */
public record RestAuth(boolean enabled, BearerTokens tokens, Set<String> openPaths) {
    public static final RestAuth OFF = new RestAuth(false, new BearerTokens(List.of()), Set.of());

    public RestAuth {
        openPaths = Set.copyOf(openPaths);
        if (enabled && tokens.size() == 0) {
            throw new IllegalArgumentException("authentication is on but no token is configured");
        }
        for (String p : openPaths) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("open path '" + p + "' must start with /");
            }
        }
    }

    /** Tokens with their roles, and the paths open to all; for tests and embedders that do not read a file. */
    public static RestAuth withTokens(BearerTokens tokens, Set<String> openPaths) {
        return new RestAuth(true, tokens, openPaths);
    }

    /** The {@code portmesh.rest.auth} section; with it on, the tokens file is read now, so a bad one stops the node. */
    public static RestAuth fromConfig(Config auth) {
        if (!auth.getBoolean("enabled")) {
            return OFF;
        }
        String file = auth.getString("tokens-file");
        if (file.isBlank()) {
            throw new IllegalArgumentException("portmesh.rest.auth.enabled is on but portmesh.rest.auth.tokens-file"
                    + " (PORTMESH_REST_TOKENS_FILE) is not set");
        }
        return withTokens(TokenFile.read(Path.of(file)), Set.copyOf(auth.getStringList("open-paths")));
    }
}
