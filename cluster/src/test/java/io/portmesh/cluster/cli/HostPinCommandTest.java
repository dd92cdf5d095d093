package io.portmesh.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.rest.RestServerExtension;
import io.portmesh.cluster.rest.RestSettings;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PublicKeySha256;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portmeshctl host pin} against the real REST API over a fake service: the public key of a certificate file
 * and a dpid are sent as the host's pins, no slot unpins, and bad input is refused (locally or by the API, naming
 * the field).
 */
class HostPinCommandTest {
    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("cli-pin-test", RestSettings.DEFAULTS);

    @TempDir
    Path pki;

    record Result(int exit, String out, String err) {}

    private static Result ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PortmeshCtl.run(
                args,
                new PrintWriter(out),
                new PrintWriter(err),
                Map.of("PORTMESH_URL", rest.server().baseUri().toString()));
        return new Result(exit, out.toString(), err.toString());
    }

    /** Host esx-1, the call log cleared. */
    private static void registerHost() {
        assertThat(ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1").exit())
                .isZero();
        rest.fake().clearCalls();
    }

    @Test
    void pinSendsTheCertificatesPublicKeyAndTheDpidAndNoSlotUnpins() throws Exception {
        Pki.init(pki);
        OfTlsFiles agent = Pki.issueAgent(pki, "esx-1", "a");
        String key = PublicKeySha256.ofCertificateFile(agent.certificate());
        registerHost();

        Result pinned = ctl(
                "host",
                "pin",
                "esx-1",
                "--slot",
                "a",
                "--cert",
                agent.certificate().toString(),
                "--dpid",
                "0a01",
                "--slot",
                "b",
                "--dpid",
                "0a02");
        assertThat(pinned.exit()).as(pinned.err()).isZero();
        Result unpinned = ctl("host", "pin", "esx-1");
        assertThat(unpinned.exit()).as(unpinned.err()).isZero();
        assertThat(rest.fake().calls())
                .containsExactly(
                        "pinAgents(esx-1, {a=AgentPin[publicKeySha256=" + key + ", dpid=0000000000000a01],"
                                + " b=AgentPin[publicKeySha256=null, dpid=0000000000000a02]})",
                        "pinAgents(esx-1, {})");
    }

    @Test
    void aBadDpidIsRefusedByTheApiNamingTheFieldAndABadCertificateFileLocally() {
        registerHost();
        Result badDpid = ctl("host", "pin", "esx-1", "--slot", "a", "--dpid", "switch-1");
        assertThat(badDpid.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(badDpid.err()).contains("a.dpid");
        Result noFile = ctl(
                "host",
                "pin",
                "esx-1",
                "--slot",
                "a",
                "--cert",
                pki.resolve("none.pem").toString());
        assertThat(noFile.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(noFile.err()).contains("--cert");
        assertThat(rest.fake().calls()).isEmpty();
    }
}
