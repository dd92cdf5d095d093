package io.portmesh.loadtest.forwarding;

import com.typesafe.config.ConfigFactory;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.PortStats;
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
import io.portmesh.openflow.plan.PlanToOpenFlow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * One datapath agent with the flows the controller would give a host that has two VMs of one logical switch (VNI 100)
 * and a third VM of it on another host:
 *
 * <pre>
 *   SENDER_VM   on the trunk, VLAN 10: the trunk-to-VXLAN sender is this VM, sending to REMOTE_VM
 *   RECEIVER_VM on the trunk, VLAN 11: the VXLAN-to-trunk counter stands for this VM
 *   REMOTE_VM   behind the VTEP where the trunk-to-VXLAN counter listens
 * </pre>
 *
 * The agent has no controller (nothing can change its flows during a run): the flows are the plan from {@link
 * FlowCompiler}, turned into the very flow-mods and group-mods a controller sends, applied to its tables.
 */
final class BenchAgent implements AutoCloseable {
    static final Vni VNI = new Vni(100);
    static final int SENDER_VLAN = 10;
    static final int RECEIVER_VLAN = 11;
    static final Mac SENDER_VM = Mac.parse("52:54:00:00:00:0a");
    static final Mac RECEIVER_VM = Mac.parse("52:54:00:00:00:0b");
    static final Mac REMOTE_VM = Mac.parse("52:54:00:00:00:0c");

    private final DatapathAgent agent;

    /**
     * @param remoteVtep where the agent sends VXLAN for REMOTE_VM (the counter of the trunk-to-VXLAN case)
     * @param receiverVm the trunk endpoint of VLAN 11 (the counter of the VXLAN-to-trunk case)
     */
    BenchAgent(InetSocketAddress remoteVtep, InetSocketAddress receiverVm) throws IOException {
        String hocon = "portmesh.agent {\n"
                + "  host = \"bench\"\n"
                + "  controllers = []\n"
                + "  listen = \"\"\n"
                + "  trunk.bind = \"127.0.0.1:0\"\n"
                + "  vxlan.bind = \"127.0.0.1:0\"\n"
                + "  vxlan.remote-port = " + remoteVtep.getPort() + "\n"
                + "}\n";
        agent = DatapathAgent.start(AgentSettings.fromConfig(ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.defaultReference())
                .resolve()));
        try {
            install(remoteVtep);
            ((TrunkPort) agent.ports().get(Pipeline.TRUNK_PORT)).bindVlan(RECEIVER_VLAN, receiverVm);
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    private void install(InetSocketAddress remoteVtep) {
        Ipv4 vtep = Ipv4.parse(remoteVtep.getAddress().getHostAddress());
        FlowPlan plan = FlowCompiler.compile(new HostView(
                HostId.of("bench"),
                List.of(
                        new HostView.LocalPort(PortId.of("sender"), SENDER_VM, VNI, new VlanId(SENDER_VLAN)),
                        new HostView.LocalPort(PortId.of("receiver"), RECEIVER_VM, VNI, new VlanId(RECEIVER_VLAN))),
                List.of(new HostView.RemotePort(PortId.of("remote"), REMOTE_VM, VNI, vtep))));
        List<OFMessage> messages =
                new PlanToOpenFlow(OFFactories.getFactory(OFVersion.OF_13)).messages(plan.diffFrom(FlowPlan.EMPTY));
        for (OFMessage m : messages) {
            Optional<OFErrorMsg> err = m instanceof OFFlowMod fm
                    ? agent.tables().apply(fm)
                    : agent.tables().apply((OFGroupMod) m);
            if (err.isPresent()) {
                throw new IllegalStateException("the agent refused " + m + ": " + err.get());
            }
        }
    }

    InetSocketAddress trunkAddress() {
        return agent.trunkAddress();
    }

    InetSocketAddress vxlanAddress() {
        return agent.vxlanAddress();
    }

    PortStats trunkStats() {
        return agent.ports().get(Pipeline.TRUNK_PORT).stats();
    }

    PortStats vxlanStats() {
        return agent.ports().get(Pipeline.TUNNEL_PORT).stats();
    }

    @Override
    public void close() {
        agent.close();
    }
}
