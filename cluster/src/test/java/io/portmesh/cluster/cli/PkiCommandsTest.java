package io.portmesh.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.openflow.tls.CertifiedAgent;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portmeshctl pki}: files written, what it prints, and its exit codes. */
class PkiCommandsTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    private static Result ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PortmeshCtl.run(args, new PrintWriter(out), new PrintWriter(err), Map.of());
        return new Result(exit, out.toString(), err.toString());
    }

    private String d() {
        return dir.toString();
    }

    @Test
    void initThenNodeThenAgentWriteTheirFilesAndSayWhere() throws Exception {
        Result init = ctl("pki", "init", "--dir", d());
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).contains("certificate: " + dir.resolve("ca.crt"));

        Result node = ctl("pki", "node", "--dir", d(), "--name", "node-1", "--ip", "10.0.0.1", "--ip", "127.0.0.1");
        assertThat(node.exit()).as(node.err()).isZero();
        assertThat(node.out()).contains("key:         " + dir.resolve("node-node-1.key"));

        Result agent = ctl("pki", "agent", "--dir", d(), "--host", "host-1", "--slot", "a", "--days", "30");
        assertThat(agent.exit()).as(agent.err()).isZero();
        assertThat(agent.out())
                .contains("certificate: " + dir.resolve("agent-host-1-a.crt"))
                .contains("ca:          " + dir.resolve("ca.crt"));
        X509Certificate leaf;
        try (InputStream in = Files.newInputStream(dir.resolve("agent-host-1-a.crt"))) {
            leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(CertifiedAgent.of(leaf).map(CertifiedAgent::uri)).contains("portmesh:agent:host-1:a");
        assertThat(leaf.getNotAfter().getTime() - System.currentTimeMillis())
                .as("--days 30")
                .isBetween(29L * 86_400_000, 31L * 86_400_000);
    }

    @Test
    void anExistingFileIsRefusedWithExitCode1UnlessForced() {
        assertThat(ctl("pki", "init", "--dir", d()).exit()).isZero();
        Result again = ctl("pki", "init", "--dir", d());
        assertThat(again.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(again.err()).contains("ca.crt").contains("--force");
        assertThat(ctl("pki", "init", "--dir", d(), "--force").exit()).isZero();
    }

    @Test
    void issuingWithoutACaIsRefused() {
        Result r = ctl("pki", "agent", "--dir", d(), "--host", "h", "--slot", "a");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(r.err()).contains("pki init");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(ctl("pki", "init", "--dir", d()).exit()).isZero();
        Result slot = ctl("pki", "agent", "--dir", d(), "--host", "h", "--slot", "c");
        assertThat(slot.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(slot.err()).contains("slot must be a or b");
        Result ip = ctl("pki", "node", "--dir", d(), "--name", "n", "--ip", "10.0.0");
        assertThat(ip.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(ip.err()).contains("'10.0.0' is not an IPv4 or IPv6 address");
        Result missing = ctl("pki", "agent", "--dir", d(), "--host", "h");
        assertThat(missing.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(missing.err()).contains("--slot");
        Result days = ctl("pki", "init", "--dir", d(), "--force", "--days", "0");
        assertThat(days.exit()).isEqualTo(PortmeshCtl.USAGE);
    }
}
