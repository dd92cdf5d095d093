package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.plan.OpenFlowToPlan;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.sim.Await;
import io.portmesh.sim.SimulatedVm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Two hosts, A and B, each with its agent (VXLAN endpoints 127.0.0.21 and 127.0.0.22 on one shared UDP port), both
 * connected to two scripted controllers; two logical switches spread over both hosts:
 *
 * <pre>
 *   blue VNI 100: vm1 on A (VLAN 10, MAC M1, 10.0.1.1)   vm2 on B (VLAN 10, MAC M2, 10.0.1.2)
 *   red  VNI 200: vm3 on A (VLAN 11, MAC M1, 10.0.2.3)   vm4 on B (VLAN 11, MAC M4, 10.0.2.4)
 * </pre>
 *
 * vm3 has vm1's MAC on purpose: only the VNI keeps the switches apart. The IP subnets differ so a test can tell from a
 * received ARP frame which switch it came from; pings are told apart by their size ({@link #BLUE_PING} and
 * {@link #RED_PING}).
 */
final class TwoHostNetwork implements AutoCloseable {
    static final String IP_A = "127.0.0.21";
    static final String IP_B = "127.0.0.22";
    static final Vni BLUE = new Vni(100);
    static final Vni RED = new Vni(200);
    static final Mac M1 = Mac.parse("52:54:00:00:01:01");
    static final Mac M2 = Mac.parse("52:54:00:00:01:02");
    static final Mac M4 = Mac.parse("52:54:00:00:02:04");
    static final int BLUE_PING = 128;
    static final int RED_PING = 256;
    /** For the requests a test reads an agent's tables with directly. */
    static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);

    final ScriptedController ctl1;
    final ScriptedController ctl2;
    final DatapathAgent agentA;
    final DatapathAgent agentB;
    final OfConnection toA;
    final OfConnection toB;
    /** The second controller's connections (EQUAL until a test asks otherwise). */
    final OfConnection toA2;

    final OfConnection toB2;
    final SimulatedVm vm1;
    final SimulatedVm vm2;
    final SimulatedVm vm3;
    final SimulatedVm vm4;
    final FlowPlan planA;
    final FlowPlan planB;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    TwoHostNetwork() throws Exception {
        this(null, null, null, null, "");
    }

    /**
     * The network with the agents given {@code controllers} (entries as in {@code portmesh.agent.controllers}) that
     * {@code resolver} looks up, and more {@code portmesh.agent} HOCON; {@code ctl1} and {@code ctl2} must be what
     * they stand for, and are closed with the network. All null: two controllers of its own, by address.
     */
    TwoHostNetwork(
            ScriptedController ctl1,
            ScriptedController ctl2,
            List<String> controllers,
            ControllerResolver resolver,
            String moreHocon)
            throws Exception {
        this(ctl1, ctl2, controllers, resolver, moreHocon, null);
    }

    /** The network with both agents on {@code shared} threads (the scale run's way), which the caller closes after it. */
    TwoHostNetwork(SharedAgentThreads shared) throws Exception {
        this(null, null, null, null, "", java.util.Objects.requireNonNull(shared, "shared"));
    }

    private TwoHostNetwork(
            ScriptedController ctl1,
            ScriptedController ctl2,
            List<String> controllers,
            ControllerResolver resolver,
            String moreHocon,
            SharedAgentThreads shared)
            throws Exception {
        try {
            this.ctl1 = track(ctl1 != null ? ctl1 : new ScriptedController());
            this.ctl2 = track(ctl2 != null ? ctl2 : new ScriptedController());
            int vxlanPort = TestAgents.portFreeOnBoth(IP_A, IP_B);
            List<String> entries =
                    controllers != null ? controllers : List.of(this.ctl1.hostPort(), this.ctl2.hostPort());
            ControllerResolver lookups = resolver != null ? resolver : DnsControllerResolver.INSTANCE;
            AgentSettings a = TestAgents.settings("host-a", 0, entries, IP_A, vxlanPort, vxlanPort, moreHocon);
            AgentSettings b = TestAgents.settings("host-b", 0, entries, IP_B, vxlanPort, vxlanPort, moreHocon);
            agentA = track(shared != null ? DatapathAgent.start(a, shared) : DatapathAgent.start(a, lookups));
            agentB = track(shared != null ? DatapathAgent.start(b, shared) : DatapathAgent.start(b, lookups));
            Map<String, OfConnection> byDesc = new HashMap<>();
            Map<String, OfConnection> byDesc2 = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                OfConnection c = this.ctl1.awaitConnection();
                byDesc.put(c.switchInfo().orElseThrow().dpDesc(), c);
                OfConnection c2 = this.ctl2.awaitConnection();
                byDesc2.put(c2.switchInfo().orElseThrow().dpDesc(), c2);
            }
            toA = byDesc.get(agentA.description());
            toB = byDesc.get(agentB.description());
            toA2 = byDesc2.get(agentA.description());
            toB2 = byDesc2.get(agentB.description());
            assertThat(toA).as("connection of host-a").isNotNull();
            assertThat(toB).as("connection of host-b").isNotNull();
            assertThat(toA2).as("second connection of host-a").isNotNull();
            assertThat(toB2).as("second connection of host-b").isNotNull();

            vm1 = track(new SimulatedVm(M1, Ipv4.parse("10.0.1.1"), 10, agentA.trunkAddress()));
            vm3 = track(new SimulatedVm(M1, Ipv4.parse("10.0.2.3"), 11, agentA.trunkAddress()));
            vm2 = track(new SimulatedVm(M2, Ipv4.parse("10.0.1.2"), 10, agentB.trunkAddress()));
            vm4 = track(new SimulatedVm(M4, Ipv4.parse("10.0.2.4"), 11, agentB.trunkAddress()));

            Ipv4 tepA = Ipv4.parse(IP_A);
            Ipv4 tepB = Ipv4.parse(IP_B);
            planA = FlowCompiler.compile(new HostView(
                    HostId.of("host-a"),
                    List.of(local("vm1", vm1, BLUE), local("vm3", vm3, RED)),
                    List.of(remote("vm2", vm2, BLUE, tepB), remote("vm4", vm4, RED, tepB))));
            planB = FlowCompiler.compile(new HostView(
                    HostId.of("host-b"),
                    List.of(local("vm2", vm2, BLUE), local("vm4", vm4, RED)),
                    List.of(remote("vm1", vm1, BLUE, tepA), remote("vm3", vm3, RED, tepA))));
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private static HostView.LocalPort local(String id, SimulatedVm vm, Vni vni) {
        return new HostView.LocalPort(PortId.of(id), vm.mac(), vni, new VlanId(vm.vlan()));
    }

    private static HostView.RemotePort remote(String id, SimulatedVm vm, Vni vni, Ipv4 tep) {
        return new HostView.RemotePort(PortId.of(id), vm.mac(), vni, tep);
    }

    List<SimulatedVm> blue() {
        return List.of(vm1, vm2);
    }

    List<SimulatedVm> red() {
        return List.of(vm3, vm4);
    }

    List<SimulatedVm> all() {
        return List.of(vm1, vm2, vm3, vm4);
    }

    /** The network with its VMs announced and every flow installed: where the forwarding tests start. */
    static TwoHostNetwork running() throws Exception {
        return running(new TwoHostNetwork());
    }

    /** {@code net} with its VMs announced and every flow installed (closed if that fails). */
    static TwoHostNetwork running(TwoHostNetwork net) throws Exception {
        try {
            net.announceVms();
            net.installFlows();
            return net;
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
    }

    /**
     * Each VM pings its peer in its own switch {@code pings} times (vm1 and vm3 share a MAC), and this waits until
     * every VM got that many more replies.
     */
    void pingAllPairs(int pings) {
        Map<SimulatedVm, Long> before = new HashMap<>();
        all().forEach(vm -> before.put(vm, vm.pingStats().received()));
        for (int i = 0; i < pings; i++) {
            vm1.sendPing(M2, BLUE_PING);
            vm2.sendPing(M1, BLUE_PING);
            vm3.sendPing(M4, RED_PING);
            vm4.sendPing(M1, RED_PING);
        }
        for (SimulatedVm vm : all()) {
            Await.until(
                    () -> vm.pingStats().received() - before.get(vm) == pings,
                    () -> vm + " after " + pings + " more pings: " + vm.pingStats() + counters());
        }
    }

    /**
     * Every VM sends a gratuitous ARP (as on boot), and this waits until each agent's trunk has learned the VLAN
     * endpoint: until then the agent has nowhere to deliver a frame for that VLAN.
     */
    void announceVms() {
        all().forEach(SimulatedVm::sendGratuitousArp);
        for (DatapathAgent agent : List.of(agentA, agentB)) {
            TrunkPort trunk = (TrunkPort) agent.ports().get(Pipeline.TRUNK_PORT);
            for (int vlan : List.of(10, 11)) {
                Await.until(
                        () -> trunk.endpoints().lookup(vlan) != null,
                        () -> agent.settings().host() + " has not learned VLAN " + vlan);
            }
        }
    }

    /**
     * What the controller does for a host it masters: ROLE_REQUEST MASTER, then the whole plan as a diff from empty,
     * then a barrier; returns once the barrier reply is in, i.e. once every flow and group is applied.
     */
    void installFlows() throws Exception {
        install(ctl1, toA, planA);
        install(ctl1, toB, planB);
    }

    private static void install(ScriptedController ctl, OfConnection c, FlowPlan plan) throws Exception {
        assertThat(ScriptedController.role(c, OFControllerRole.ROLE_MASTER, 1).getRole())
                .isEqualTo(OFControllerRole.ROLE_MASTER);
        var messages = new PlanToOpenFlow(c.factory()).messages(plan.diffFrom(FlowPlan.EMPTY));
        ScriptedController.sendAndSync(c, messages);
        assertThat(ctl.received(c)).noneMatch(m -> m instanceof OFErrorMsg);
    }

    /** The agent's flows and groups read back into the model (counters and timeouts left out). */
    static FlowPlan installedPlan(DatapathAgent agent) {
        var req = OF.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setCookieMask(U64.ZERO)
                .setMatch(OF.matchWildcardAll())
                .build();
        return OpenFlowToPlan.installed(
                agent.tables().flowStats(req), agent.tables().groupDesc());
    }

    /**
     * Brings every frame sent so far to its receivers' records, so that "a frame did not arrive" can be asserted
     * without sleeping. Each agent handles a socket's frames one at a time on one thread and sends all of a frame's
     * outputs before it reads the next; loopback UDP queues a datagram at the receiver during the send. Round one
     * (every VM pings its peer across the tunnel, replies awaited) pushes a frame through every ingress thread of both
     * agents (trunk and VXLAN), so every output of an earlier frame is queued at its receiver. Round two gives every
     * VM a frame queued after that, so once it is answered each VM has read everything queued before.
     */
    void quiesce() {
        pingAllPairs(1);
        pingAllPairs(1);
    }

    /** Port and pipeline counters of both agents, for failure messages. */
    String counters() {
        StringBuilder b = new StringBuilder();
        for (DatapathAgent agent : List.of(agentA, agentB)) {
            b.append('\n').append(agent.settings().host()).append(": ");
            agent.ports()
                    .all()
                    .forEach(p ->
                            b.append(p.name()).append(' ').append(p.stats()).append("; "));
            b.append(agent.pipeline().counters());
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more than this one
            }
        }
    }
}
