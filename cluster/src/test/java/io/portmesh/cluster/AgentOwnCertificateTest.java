package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent refuses to start with a certificate that does not name its own host and slot (another host's, another
 * slot's, a controller node's), saying which it names and how to issue the right one; it never gets to connect.
 */
class AgentOwnCertificateTest {
    @TempDir
    Path pki;

    private static AgentSettings settings(String host, String slot, OfTlsFiles tls) {
        return AgentSettings.local(host, slot, "127.0.0.1", 4789, List.of("127.0.0.1:1"))
                .withTls(Optional.of(tls));
    }

    @Test
    void anAgentWithAnotherAgentsOrANodesCertificateRefusesToStart() throws Exception {
        Pki.init(pki);
        OfTlsFiles g = Pki.issueAgent(pki, "esx-2", "a");
        OfTlsFiles hSlotB = Pki.issueAgent(pki, "esx-1", "b");
        OfTlsFiles node = Pki.issueNode(pki, "node-1", List.of("127.0.0.1"));

        assertThatThrownBy(() -> DatapathAgent.start(settings("esx-1", "a", g)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names portmesh:agent:esx-2:a, not portmesh:agent:esx-1:a")
                .hasMessageContaining("portmeshctl pki agent --host esx-1 --slot a");
        assertThatThrownBy(() -> DatapathAgent.start(settings("esx-1", "a", hSlotB)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names portmesh:agent:esx-1:b, not portmesh:agent:esx-1:a");
        assertThatThrownBy(() -> DatapathAgent.start(settings("esx-1", "a", node)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no agent, not portmesh:agent:esx-1:a");
    }
}
