package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.table.SwitchTables;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.flow.Cookies;
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
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The controller slice end to end: three controller nodes, the real Cassandra, three agents over real TCP and
 * simulated VMs over the UDP trunk, VXLAN between agents on three loopback addresses. Frames reach exactly the VMs of
 * the same logical switch; a full cluster restart keeps everything and sends no flow-mod to agents that are right,
 * leaves flows and groups that are not Portmesh's alone, and purges a Portmesh flow it cannot read.
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
            // meanwhile someone edits esx-1's switch by hand: a flow and a group of their own, which reconciliation
            // must leave alone, and a flow with Portmesh's cookie that the controller cannot read, which it must purge
            SwitchTables esx1 = agents.get(0).tables();
            assertThat(esx1.apply(FOREIGN_FLOW)).isEmpty();
            assertThat(esx1.apply(FOREIGN_GROUP)).isEmpty();
            assertThat(esx1.apply(UNREADABLE_PORTMESH_FLOW)).isEmpty();
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
            modsBefore[0]++; // the purge of the unreadable Portmesh flow on esx-1, and nothing else
            assertThat(modsAfter)
                    .as("flow-mods sent to agents whose flows were right")
                    .isEqualTo(modsBefore);
            // and the restarted nodes count no more: every host reconciled, nothing acknowledged but the purge (the
            // agents' counters above are the proof of what was applied: exactly the purge). The nodes' count can be
            // lower, not higher: a Host incarnation that a shard rebalance replaced right after the restart can have
            // pushed the purge, and the agent's acknowledgement then reached an incarnation that no longer counts it
            // (seen once in CI: acknowledged 0, applied 1); and what they *sent* may be more: the next incarnation's
            // push of the purge is refused (IS_SLAVE: the agent took the next generation), sent but never
            // acknowledged, and never applied (seen once in CI: sent 2).
            assertThat(NodeScrape.sum(cluster.nodes, "portmesh_reconciliations_total", ""))
                    .isGreaterThanOrEqualTo(HOSTS.length);
            assertThat(NodeScrape.sum(cluster.nodes, "portmesh_flow_mods_acknowledged_total", ""))
                    .isLessThanOrEqualTo(1);
            assertThat(NodeScrape.sum(cluster.nodes, "portmesh_flow_mods_sent_total", ""))
                    .isGreaterThanOrEqualTo(1);
            List<Long> cookies = esx1.flowStats(ALL_FLOWS).stream()
                    .map(e -> e.getCookie().getValue())
                    .toList();
            assertThat(cookies).contains(FOREIGN_FLOW.getCookie().getValue());
            assertThat(cookies)
                    .doesNotContain(UNREADABLE_PORTMESH_FLOW.getCookie().getValue());
            assertThat(esx1.groupDesc().stream().map(g -> g.getGroup().getGroupNumber()))
                    .contains(FOREIGN_GROUP.getGroup().getGroupNumber());
            SliceFixture.pingUntilAnswered(vm2, vm1);
        } finally {
            fx.close();
            agents.forEach(DatapathAgent::close);
            cluster.close();
        }
    }

    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final OFFlowMod FOREIGN_FLOW = OF13.buildFlowAdd()
            .setTableId(TableId.of(0))
            .setPriority(5)
            .setCookie(U64.of(0x1234L << 48))
            .setMatch(
                    OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(7)).build())
            .build();
    private static final OFGroupMod FOREIGN_GROUP = OF13.buildGroupAdd()
            .setGroup(OFGroup.of(7))
            .setGroupType(OFGroupType.ALL)
            .setBuckets(List.of())
            .build();
    /** Portmesh's cookie on a match the plan's model has no field for (ARP sender address). */
    private static final OFFlowMod UNREADABLE_PORTMESH_FLOW = OF13.buildFlowAdd()
            .setTableId(TableId.of(1))
            .setPriority(90)
            .setCookie(U64.of(Cookies.cookie(Cookies.LOCAL, 77)))
            .setMatch(OF13.buildMatch()
                    .setExact(MatchField.ETH_TYPE, EthType.ARP)
                    .setExact(MatchField.ARP_SPA, IPv4Address.of("10.9.9.9"))
                    .build())
            .build();

    private static final OFFlowStatsRequest ALL_FLOWS = OF13.buildFlowStatsRequest()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setMatch(OF13.buildMatch().build())
            .build();

    private static boolean fromMac(byte[] frame, Mac src) {
        return frame.length >= 12 && Mac.of(frame, 6).equals(src);
    }
}
