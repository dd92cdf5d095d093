package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.pki.PlainLeaf;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent with OpenFlow TLS on serves its listen port over mutual TLS too: stock {@code ovs-ofctl} with a node
 * certificate of the CA reads it, as the README says; plain TCP, another CA's certificate and another host's agent
 * certificate of the same CA get nothing.
 */
class AgentListenPortTlsTest {
    private static final Path OVS_OFCTL = Path.of("/usr/bin/ovs-ofctl");

    @TempDir
    Path pki;

    @TempDir
    Path otherPki;

    record Run(int exit, String output) {}

    /** ovs-ofctl trusting {@code ca} and presenting {@code as}'s certificate and key. */
    private static Run ovsOfctlAs(Path ca, OfTlsFiles as, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "-C",
                ca.toString(),
                "-c",
                as.certificate().toString(),
                "-p",
                as.key().toString()));
        args.addAll(List.of(command));
        return ovsOfctl(args.toArray(String[]::new));
    }

    private static Run ovsOfctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(OVS_OFCTL.toString(), "-O", "OpenFlow13", "--timeout=10"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ovs-ofctl still running after 30 s: " + command);
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String q(Path p) {
        return ConfigUtil.quoteString(p.toString());
    }

    @Test
    void ovsOfctlWithANodeCertificateReadsTheListenPortAndNothingElseDoes() throws Exception {
        assumeTrue(Files.isExecutable(OVS_OFCTL), "ovs-ofctl not installed (apt-get install openvswitch-common)");
        Pki.init(pki);
        OfTlsFiles agentFiles = Pki.issueAgent(pki, "esx-1", "a");
        OfTlsFiles node = Pki.issueNode(pki, "node-1", List.of("127.0.0.1"));
        Pki.init(otherPki);
        OfTlsFiles foreign = Pki.issueNode(otherPki, "node-1", List.of("127.0.0.1"));
        int[] ports = TestCluster.freePorts(2); // the second one stays closed: the agent's controller, never there
        AgentSettings s = AgentSettings.fromConfig(ConfigFactory.parseString("""
                        portmesh.agent {
                          host = esx-1, slot = a, vxlan.bind = "127.0.0.1:%d", controllers = ["127.0.0.1:%d"]
                          listen = "127.0.0.1:0"
                          openflow.tls { enabled = on, certificate = %s, key = %s, ca = %s }
                        }
                        """.formatted(
                        ports[0], ports[1], q(agentFiles.certificate()), q(agentFiles.key()), q(agentFiles.ca())))
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        try (DatapathAgent agent = DatapathAgent.start(s)) {
            String ssl = "ssl:127.0.0.1:" + agent.listenAddress().orElseThrow().getPort();
            String tcp = "tcp:127.0.0.1:" + agent.listenAddress().orElseThrow().getPort();

            Run show = ovsOfctlAs(node.ca(), node, "show", ssl);
            assertThat(show.exit()).as(show.output()).isZero();
            assertThat(show.output()).contains("dpid:").contains("trunk");

            Run plain = ovsOfctl("show", tcp);
            assertThat(plain.exit()).as("plain TCP: " + plain.output()).isNotZero();
            Run other = ovsOfctlAs(node.ca(), foreign, "show", ssl);
            assertThat(other.exit())
                    .as("another CA's certificate: " + other.output())
                    .isNotZero();
            OfTlsFiles otherAgent = Pki.issueAgent(pki, "esx-2", "a");
            Run agentKey = ovsOfctlAs(otherAgent.ca(), otherAgent, "dump-flows", ssl);
            assertThat(agentKey.exit())
                    .as("another host's agent certificate, of the same CA: " + agentKey.output())
                    .isNotZero();
            assertThat(agentKey.output()).doesNotContain("cookie=");
            OfTlsFiles plainLeaf = PlainLeaf.issue(pki, "operator"); // of the CA, names the address, no node URI
            Run notANode = ovsOfctlAs(plainLeaf.ca(), plainLeaf, "dump-flows", ssl);
            assertThat(notANode.exit())
                    .as("a certificate of the CA that is no node's: " + notANode.output())
                    .isNotZero();
            assertThat(notANode.output()).doesNotContain("cookie=");
        }
    }
}
