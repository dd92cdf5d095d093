package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.barrier;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.portmesh.openflow.OfConnection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Agents started on an event loop group of the caller's (the scale run's two thousand agents in one JVM): they connect
 * and answer on it, and closing one leaves the group, and the other agents on it, running.
 */
class SharedEventLoopAgentTest {
    @Test
    void agentsOnASharedGroupConnectAndClosingOneLeavesTheGroupToItsOwner() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ScriptedController ctl = new ScriptedController();
        DatapathAgent one = null;
        DatapathAgent two = null;
        try {
            one = DatapathAgent.start(
                    TestAgents.settings("h1", 0x11L, List.of(ctl.hostPort()), "127.0.0.1", 0, 4789), group);
            OfConnection c1 = ctl.awaitConnection();
            two = DatapathAgent.start(
                    TestAgents.settings("h2", 0x12L, List.of(ctl.hostPort()), "127.0.0.1", 0, 4789), group);
            OfConnection c2 = ctl.awaitConnection();

            one.close();
            one = null;
            assertThat(group.isShuttingDown())
                    .as("the group is its owner's to shut down")
                    .isFalse();
            assertThat(barrier(c2))
                    .as("the other agent still answers on the shared loop")
                    .isNotNull();
            assertThat(c1).isNotSameAs(c2);
        } finally {
            if (one != null) {
                one.close();
            }
            if (two != null) {
                two.close();
            }
            ctl.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
