package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.SimulatedVm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller slice end to end: three controller nodes, the real Cassandra, three agents over real TCP and
 * simulated VMs over the UDP trunk, VXLAN between agents on three loopback addresses. Frames reach exactly the VMs of
 * the same logical switch; a full cluster restart keeps everything and sends no flow-mod to agents that are right.
 */
@ExtendWith(CassandraExtension.class)
class ControllerSliceIntegrationTest {
    private static final String[] HOSTS = {"esx-1", "esx-2", "esx-3"};

    @Test
    void portsBecomeFlowsAndFramesStayInsideTheirSwitchAcrossARestart(TestCassandra cassandra) throws Exception {
        int[] ports = TestCluster.freePorts(7);
        int[] remotePorts = {ports[0], ports[1], ports[2]};
        int[] openflowPorts = {ports[3], ports[4], ports[5]};
        int vxlanPort = ports[6];
        TestCluster cluster = TestCluster.start(cassandra, remotePorts, openflowPorts);
        List<DatapathAgent> agents = new ArrayList<>();
        SliceFixture fx = new SliceFixture();
        try {
            NetworkService api = cluster.nodes.get(0).service();
            String run = Long.toHexString(System.nanoTime() & 0xFFFFFF);
            Map<String, String> hostIds = new HashMap<>();
            for (int i = 0; i < HOSTS.length; i++) {
                String id = HOSTS[i] + "-" + run;
                hostIds.put(HOSTS[i], id);
                api.createHost(HostId.of(id), Ipv4.parse("127.0.0." + (11 + i)))
                        .toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
                agents.add(DatapathAgent.start(
                        AgentSettings.local(id, "a", "127.0.0." + (11 + i), vxlanPort, cluster.openflowAddresses())));
            }
            SwitchId blue = SwitchId.of("blue-" + run);
            SwitchId red = SwitchId.of("red-" + run);
            int blueVni = api.createSwitch(blue, Optional.empty())
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS)
                    .vni();
            int redVni = api.createSwitch(red, Optional.empty())
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS)
                    .vni();
            assertThat(blueVni).isNotEqualTo(redVni);

            // blue: vm1 on esx-1, vm2 on esx-2; red: vm3 on esx-1, vm4 on esx-3
            SimulatedVm vm1 = fx.vm(api, blue, "52:54:00:00:01:01", "10.0.0.1", hostIds.get("esx-1"), agents.get(0));
            SimulatedVm vm2 = fx.vm(api, blue, "52:54:00:00:01:02", "10.0.0.2", hostIds.get("esx-2"), agents.get(1));
            SimulatedVm vm3 = fx.vm(api, red, "52:54:00:00:02:03", "10.0.0.3", hostIds.get("esx-1"), agents.get(0));
            SimulatedVm vm4 = fx.vm(api, red, "52:54:00:00:02:04", "10.0.0.4", hostIds.get("esx-3"), agents.get(2));
            fx.vms.forEach(SimulatedVm::clearReceived);

            // broadcast (ARP) and unicast (ping) inside blue, across VXLAN
            assertThat(vm1.resolve(vm2.ip()).get(10, TimeUnit.SECONDS)).isEqualTo(vm2.mac());
            SliceFixture.pingUntilAnswered(vm1, vm2);
            // and inside red
            assertThat(vm3.resolve(vm4.ip()).get(10, TimeUnit.SECONDS)).isEqualTo(vm4.mac());
            SliceFixture.pingUntilAnswered(vm3, vm4);
            // never across switches: nothing of blue reached red's VMs, nothing of red reached blue's
            assertThat(vm3.hasReceived(f -> fromMac(f, vm1.mac()) || fromMac(f, vm2.mac())))
                    .isFalse();
            assertThat(vm4.hasReceived(f -> fromMac(f, vm1.mac()) || fromMac(f, vm2.mac())))
                    .isFalse();
            assertThat(vm2.hasReceived(f -> fromMac(f, vm3.mac()) || fromMac(f, vm4.mac())))
                    .isFalse();
            assertThat(vm1.hasReceived(f -> fromMac(f, vm4.mac()))).isFalse();

            // what the nodes' metrics say of it: four bindings realized (all asked through node 0), every agent
            // connected to every node, flow-mods sent
            assertThat(NodeScrape.sum(
                            cluster.nodes.subList(0, 1),
                            "portmesh_operations_total",
                            "operation=\"bind_port\",outcome=\"realized\""))
                    .isEqualTo(4);
            // a binding is realized through the master connection; the slaves may still be finishing their handshake
            TestCluster nodes = cluster;
            SliceFixture.awaitTrue(
                    "every agent connected to every node, as the nodes' metrics count",
                    () -> NodeScrape.sumUnchecked(nodes.nodes, "portmesh_openflow_sessions", "")
                            == HOSTS.length * nodes.nodes.size());
            assertThat(NodeScrape.sum(cluster.nodes, "portmesh_flow_mods_sent_total", ""))
                    .isPositive();

            // the whole cluster stops and starts again
            long[] modsBefore =
                    agents.stream().mapToLong(DatapathAgent::flowModsApplied).toArray();
            Map<String, Long> genBefore = new HashMap<>();
            for (String h : hostIds.values()) {
                genBefore.put(
                        h,
                        api.getHost(HostId.of(h))
                                .toCompletableFuture()
                                .get(10, TimeUnit.SECONDS)
                                .masterGeneration());
            }
            cluster.close();
            cluster = TestCluster.start(cassandra, remotePorts, openflowPorts);
            NetworkService api2 = cluster.nodes.get(1).service();
            for (String h : hostIds.values()) {
                SliceFixture.awaitTrue("host " + h + " reconciled by a new master", () -> {
                    HostInfo info =
                            api2.getHost(HostId.of(h)).toCompletableFuture().join();
                    return info.realized() && info.masterGeneration() > genBefore.get(h);
                });
            }
            PortInfo p = api2.getPort(PortId.of(fx.vmPorts.get(vm4)))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(p.host()).isEqualTo(hostIds.get("esx-3"));
            assertThat(p.vlan()).isEqualTo(vm4.vlan());
            long[] modsAfter =
                    agents.stream().mapToLong(DatapathAgent::flowModsApplied).toArray();
            assertThat(modsAfter)
                    .as("flow-mods sent to agents whose flows were right")
                    .isEqualTo(modsBefore);
            // and the restarted nodes count the same: every host reconciled, nothing sent
            assertThat(NodeScrape.sum(cluster.nodes, "portmesh_reconciliations_total", ""))
                    .isGreaterThanOrEqualTo(HOSTS.length);
            assertThat(NodeScrape.sum(cluster.nodes, "portmesh_flow_mods_sent_total", ""))
                    .isZero();
            SliceFixture.pingUntilAnswered(vm2, vm1);
        } finally {
            fx.close();
            agents.forEach(DatapathAgent::close);
            cluster.close();
        }
    }

    private static boolean fromMac(byte[] frame, Mac src) {
        return frame.length >= 12 && Mac.of(frame, 6).equals(src);
    }
}
