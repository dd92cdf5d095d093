package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

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
 * re-announcement is set to 10 minutes here), a new master is elected with a higher generation, and a binding made
 * after the move reaches the agent whose master moved. The data plane does not notice: two VMs ping each other every
 * 5 ms through the whole leave and no ping is lost (counted by sequence number), and no agent applies a single
 * flow-mod while the node leaves (the new master's reconciliation finds every flow right).
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
            long[] flowModsBefore =
                    agents.stream().mapToLong(DatapathAgent::flowModsApplied).toArray();
            long lostBefore1 = vm1.pingStats().lost();
            long lostBefore2 = vm2.pingStats().lost();
            Pinger pinger = Pinger.start(vm1, vm2);
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
            pinger.stop();
            TestCluster.sleep(500); // the last replies in flight
            assertThat(pinger.sent).as("pings sent through the leave").isGreaterThan(100);
            assertThat(vm1.pingStats().lost() - lostBefore1)
                    .as("pings of vm1 lost while the node left: %s", vm1.pingStats())
                    .isZero();
            assertThat(vm2.pingStats().lost() - lostBefore2)
                    .as("pings of vm2 lost while the node left: %s", vm2.pingStats())
                    .isZero();
            for (int i = 0; i < agents.size(); i++) {
                assertThat(agents.get(i).flowModsApplied())
                        .as("flow-mods agent %d applied while the node left", i)
                        .isEqualTo(flowModsBefore[i]);
            }

            // a binding after the move: h1's agent must learn the new member from its new master
            SimulatedVm vm3 = fx.vm(survivor, blue, "52:54:00:00:03:03", "10.1.0.3", h2, agents.get(1));
            SliceFixture.pingUntilAnswered(vm1, vm3); // unicast to vm3's MAC: only its L2 flow on h1 carries it
        } finally {
            fx.close();
            agents.forEach(DatapathAgent::close);
            cluster.close();
        }
    }

    /** Two VMs pinging each other every 5 ms on a thread of its own, for at most two minutes. */
    private static final class Pinger {
        private final Thread thread;
        private volatile boolean stopped;
        volatile long sent;

        private Pinger(SimulatedVm a, SimulatedVm b) {
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (!stopped && System.nanoTime() < deadline) {
                    a.sendPing(b.mac(), 128);
                    b.sendPing(a.mac(), 128);
                    sent += 2;
                    TestCluster.sleep(5);
                }
            });
            thread.setDaemon(true);
        }

        static Pinger start(SimulatedVm a, SimulatedVm b) {
            Pinger p = new Pinger(a, b);
            p.thread.start();
            return p;
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(5_000);
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
