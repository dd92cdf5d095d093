package io.portmesh.cluster;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.SwitchId;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sim.SimulatedVm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A controller node leaves (coordinated shutdown) while agents are connected to every node: the Host entity it held
 * moves, the sessions on the other nodes register with the new incarnation on their own (death watch: the periodic
 * re-announcement is set to 10 minutes here), a new master is elected with a higher generation, traffic keeps
 * flowing, and a binding made after the move reaches the agent whose master moved.
 */
@ExtendWith(CassandraExtension.class)
class NodeLeaveIntegrationTest {
    @Test
    void hostsMoveToTheRemainingNodesAndKeepProgrammingTheirAgents(TestCassandra cassandra) throws Exception {
        int[] ports = TestCluster.freePorts(7);
        TestCluster cluster = TestCluster.start(
                cassandra, new int[] {ports[0], ports[1], ports[2]}, new int[] {ports[3], ports[4], ports[5]});
        List<DatapathAgent> agents = new ArrayList<>();
        SliceFixture fx = new SliceFixture();
        try {
            NetworkService api = cluster.nodes.get(0).service();
            String run = Long.toHexString(System.nanoTime() & 0xFFFFFF);
            String h1 = "leave-1-" + run;
            String h2 = "leave-2-" + run;
            for (String h : List.of(h1, h2)) {
                String tep = h.equals(h1) ? "127.0.0.21" : "127.0.0.22";
                api.createHost(HostId.of(h), Ipv4.parse(tep))
                        .toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
                agents.add(
                        DatapathAgent.start(AgentSettings.local(h, "a", tep, ports[6], cluster.openflowAddresses())));
            }
            SwitchId blue = SwitchId.of("leave-" + run);
            api.createSwitch(blue, Optional.empty()).toCompletableFuture().get(20, TimeUnit.SECONDS);
            SimulatedVm vm1 = fx.vm(api, blue, "52:54:00:00:03:01", "10.1.0.1", h1, agents.get(0));
            SimulatedVm vm2 = fx.vm(api, blue, "52:54:00:00:03:02", "10.1.0.2", h2, agents.get(1));
            SliceFixture.pingUntilAnswered(vm1, vm2);

            HostInfo before = api.getHost(HostId.of(h1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            String masterNode = masterNode(before);
            int leaving = indexOf(cluster, masterNode);
            cluster.nodes.remove(leaving).shutdown().get(60, TimeUnit.SECONDS);

            NetworkService survivor = cluster.nodes.get(0).service();
            SliceFixture.awaitTrue("host " + h1 + " mastered from a remaining node", Duration.ofSeconds(30), () -> {
                HostInfo now =
                        survivor.getHost(HostId.of(h1)).toCompletableFuture().join();
                String node = masterNode(now);
                return node != null
                        && !node.equals(masterNode)
                        && now.masterGeneration() > before.masterGeneration()
                        && now.realized();
            });
            SliceFixture.pingUntilAnswered(vm2, vm1); // the flows stayed on the agents

            // a binding after the move: h1's agent must learn the new member from its new master
            SimulatedVm vm3 = fx.vm(survivor, blue, "52:54:00:00:03:03", "10.1.0.3", h2, agents.get(1));
            SliceFixture.pingUntilAnswered(vm1, vm3); // unicast to vm3's MAC: only its L2 flow on h1 carries it
        } finally {
            fx.close();
            agents.forEach(DatapathAgent::close);
            cluster.close();
        }
    }

    private static String masterNode(HostInfo info) {
        return info.agents().stream()
                .filter(a -> a.role().equals("MASTER"))
                .map(HostInfo.AgentInfo::node)
                .findFirst()
                .orElse(null);
    }

    private static int indexOf(TestCluster cluster, String node) {
        for (int i = 0; i < cluster.nodes.size(); i++) {
            String address = Cluster.get(cluster.nodes.get(i).system())
                    .selfMember()
                    .address()
                    .toString();
            if (address.equals(node)) {
                return i;
            }
        }
        throw new AssertionError("no node " + node + " in the cluster");
    }
}
