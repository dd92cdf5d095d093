package io.portmesh.loadtest.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.cluster.rest.BearerTokens;
import io.portmesh.cluster.rest.Role;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSecurityTest {
    @TempDir
    Path dir;

    @Test
    void offLaunchesNodesAsBeforeAndTalksPlainHttp() throws Exception {
        DemoSecurity off = DemoSecurity.off();
        assertThat(off.enabled()).isFalse();
        assertThat(off.node(1)).isEqualTo(NodeProcess.Extras.NONE);
        assertThat(off.agent("esx-1", "a")).isEmpty();
        assertThat(off.access().scheme()).isEqualTo("http");
    }

    @Test
    void onStartsEveryNodeWithOpenFlowArteryAndHttpsTlsAndTokenAuthAndTalksHttpsWithTheAdminToken() throws Exception {
        DemoSecurity on = DemoSecurity.on(dir);
        NodeProcess.Extras node = on.node(2);
        Path crt = dir.resolve("node-ctl-2.crt").toAbsolutePath();
        assertThat(node.jvmOptions())
                .contains(
                        "-Dportmesh.controller.openflow.tls.enabled=on",
                        "-Dportmesh.controller.openflow.tls.certificate=" + crt,
                        "-Dportmesh.cluster.tls.enabled=on",
                        "-Dportmesh.cluster.tls.cert-file=" + crt,
                        "-Dportmesh.rest.tls.enabled=on",
                        "-Dportmesh.rest.tls.cert-file=" + crt,
                        "-Dportmesh.rest.auth.enabled=on",
                        "-Dportmesh.rest.auth.tokens-file="
                                + dir.resolve("tokens").toAbsolutePath());
        assertThat(node.rest()).isSameAs(on.access());
        assertThat(on.access().scheme()).isEqualTo("https");
        // the file holds the admin token's digest, not the token
        String token = on.access().token();
        assertThat(Files.readAllLines(dir.resolve("tokens"))).containsExactly(BearerTokens.fileLine(Role.ADMIN, token));
        assertThat(Files.readString(dir.resolve("tokens"))).doesNotContain(token);
    }

    @Test
    void anAgentStartedAgainPresentsTheCertificateItWasIssued() throws Exception {
        DemoSecurity on = DemoSecurity.on(dir);
        Optional<OfTlsFiles> first = on.agent("esx-4", "a");
        byte[] issued = Files.readAllBytes(first.orElseThrow().certificate());
        assertThat(on.agent("esx-4", "a")).isEqualTo(first);
        assertThat(Files.readAllBytes(first.orElseThrow().certificate())).isEqualTo(issued);
        on.agent("esx-4", "b");
        assertThat(on.describe(3)).contains("3 node certificates, 2 agent certificates");
    }
}
