package io.portmesh.loadtest.nodeloss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.cluster.LocalPorts;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent-kill fault's victim and its undoing: an agent in a JVM of its own killed with SIGKILL is gone, and started
 * again it runs on the trunk it had (the host's VMs still send there); nothing of it outlives {@code close}. No
 * controller listens: an agent runs (and keeps trying to connect) without one.
 */
class AgentJvmsTest {
    @Test
    void aKilledAgentIsGoneAndStartedAgainOnItsTrunkAndNoneOutlivesClose(@TempDir Path logs) throws Exception {
        int nobody = LocalPorts.freeTcpPorts(1)[0];
        AgentJvms jvms = new AgentJvms(List.of("127.0.0.1:" + nobody), logs);
        try {
            InetSocketAddress trunk = jvms.start("h-kill", "127.0.0.1", LocalPorts.freeTcpPorts(1)[0]);
            assertThat(jvms.has("h-kill")).isTrue();
            assertThat(jvms.isAlive("h-kill")).isTrue();
            assertThat(startedOn(logs.resolve("agent-h-kill-a.log"), trunk)).isTrue();
            assertThatThrownBy(() -> jvms.restart("h-kill")).hasMessageContaining("still runs");

            long killed = jvms.kill("h-kill");
            assertThat(killed).isLessThanOrEqualTo(System.nanoTime());
            assertThat(jvms.isAlive("h-kill")).as("after SIGKILL").isFalse();

            jvms.restart("h-kill");
            assertThat(jvms.isAlive("h-kill")).as("started again").isTrue();
            assertThat(startedOn(logs.resolve("agent-h-kill-a-1.log"), trunk))
                    .as("the second start runs on the first one's trunk")
                    .isTrue();
        } finally {
            jvms.close();
        }
        assertThat(jvms.isAlive("h-kill")).as("after close").isFalse();
    }

    /** Whether the agent's log says it started on {@code trunk} within 60 s (AgentMain's first line). */
    private static boolean startedOn(Path log, InetSocketAddress trunk) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (Files.exists(log)
                    && java.util.regex.Pattern.compile("trunk=\\S*:" + trunk.getPort() + "\\b")
                            .matcher(Files.readString(log))
                            .find()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
