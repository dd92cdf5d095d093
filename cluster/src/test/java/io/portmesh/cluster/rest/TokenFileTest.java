package io.portmesh.cluster.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file: both ways of writing a token, roles, and refusals that name the line but never the token. */
class TokenFileTest {
    private static final String SECRET = "s3cret-token-abcdefghijkl";

    @Test
    void readsDigestsAndPlainTokensWithTheirRolesSkippingCommentsAndBlankLines() {
        BearerTokens t = TokenFile.parse(
                List.of(
                        "# operators",
                        "",
                        "  admin   SHA256:"
                                + AuthTokens.digestOf(AuthTokens.ADMIN).toUpperCase() + "  ",
                        "READ-ONLY\t" + AuthTokens.READ_ONLY),
                "test");
        assertThat(t.roleOf(AuthTokens.ADMIN)).contains(Role.ADMIN);
        assertThat(t.roleOf(AuthTokens.READ_ONLY)).contains(Role.READ_ONLY);
        assertThat(t.roleOf("sha256:" + AuthTokens.digestOf(AuthTokens.ADMIN))).isEmpty();
        assertThat(t.roleOf(AuthTokens.ADMIN + "x")).isEmpty();
        assertThat(t.toString()).isEqualTo("BearerTokens[2 tokens]");
    }

    @Test
    void refusalsNameTheLineAndNeverTheToken() {
        Map<String, String> refusals = Map.of(
                "root " + SECRET,
                "line 2: unknown role 'root'; the roles are read-only and admin",
                "admin " + SECRET + " extra",
                "line 2: expected '<role> <token>' (two fields), found 3",
                "admin sha256:abc" + SECRET,
                "line 2: a sha256: token is followed by 64 hex digits",
                "admin short-token",
                "line 2: the token is shorter than 16 characters",
                "admin " + SECRET + "\"x",
                "line 2: the token has characters a bearer token cannot have");
        refusals.forEach((line, message) -> assertThatThrownBy(() -> TokenFile.parse(List.of("# x", line), "f"))
                .as(line)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("f " + message)
                .hasMessageNotContaining(SECRET));
    }

    @Test
    void aFileWithoutTokensIsRefused() {
        assertThatThrownBy(() -> TokenFile.parse(List.of("# nothing", ""), "f"))
                .hasMessage("f: no tokens; with authentication on, nobody could use the API");
    }

    @Test
    void theConfigurationReadsTheFileOnlyWhenOnAndRefusesOnWithoutAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "admin " + SECRET + "\n");
        RestAuth on = RestAuth.fromConfig(ConfigFactory.parseMap(
                        Map.of("enabled", true, "tokens-file", file.toString(), "open-paths", List.of("/alive")))
                .withFallback(ConfigFactory.load().getConfig("portmesh.rest.auth")));
        assertThat(on.enabled()).isTrue();
        assertThat(on.tokens().roleOf(SECRET)).contains(Role.ADMIN);
        assertThat(on.openPaths()).containsExactly("/alive");

        RestAuth off = RestAuth.fromConfig(ConfigFactory.load().getConfig("portmesh.rest.auth"));
        assertThat(off.enabled()).isFalse();
        assertThat(ConfigFactory.load().getStringList("portmesh.rest.auth.open-paths"))
                .containsExactly("/alive", "/health", "/ready");

        assertThatThrownBy(() -> RestAuth.fromConfig(ConfigFactory.parseMap(Map.of("enabled", true))
                        .withFallback(ConfigFactory.load().getConfig("portmesh.rest.auth"))))
                .hasMessageContaining("tokens-file");
    }
}
