package io.portmesh.model.flow;

import static io.portmesh.model.flow.Instruction.apply;

import io.portmesh.model.Ipv4;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a live port move (docs/architecture.md section 7.1) adds to {@link FlowCompiler}'s flows. While a port moves
 * from host A to host B it is a local port on both, each naming the other as its {@code twin} (and arriving on B), and
 * a moving remote member on every peer, whose {@code alsoTunnelIp} is B's endpoint.
 *
 * <ul>
 *   <li>a peer's unicast flow to a moving member outputs to both hosts, one copy each ({@link #toMember});
 *   <li>a frame from this host's own trunk to a local port that has a twin is delivered on the trunk and copied to the
 *       twin ({@link #fromTrunkToLocal}): the VM runs on one of the two hosts. Frames from the tunnel are delivered
 *       on the trunk only (the {@code LOCAL} flow is unchanged), so that a frame never goes back from A to B (split
 *       horizon: no A-B loop);
 *   <li>an arriving port's RARP and ARP (gratuitous ARP included) from its own MAC on its own VLAN go to the controller
 *       and are classified as any frame of the port ({@link #activation}): the VM announces that it runs here now,
 *       and its frame is still forwarded.
 * </ul>
 *
 * <p>The endpoints a move names (a member's two, a local port's twin) are flooded to like any remote host of the VNI.
 */
final class MoveFlows {
    /** RARP: what a VM sends after a vMotion. */
    static final int ETH_TYPE_RARP = 0x8035;
    /** ARP, and so gratuitous ARP. */
    static final int ETH_TYPE_ARP = 0x0806;

    private MoveFlows() {}

    /** Adds the hosts of a remote member that holds its MAC to its VNI's flood: its own, and while it moves the other. */
    static void addHosts(HostView.RemotePort r, Collection<Ipv4> hosts) {
        hosts.add(r.tunnelIp());
        if (r.alsoTunnelIp() != null) {
            hosts.add(r.alsoTunnelIp());
        }
    }

    /** Adds the twins of a VNI's taken local ports to its flood. */
    static void addTwins(List<HostView.LocalPort> locals, Collection<Ipv4> hosts) {
        for (HostView.LocalPort p : locals) {
            if (p.twin() != null) {
                hosts.add(p.twin());
            }
        }
    }

    /** The actions of the unicast flow to a remote member: to its host, and while it moves to the other one too. */
    static List<Action> toMember(HostView.RemotePort r) {
        List<Action> to = FlowCompiler.toTunnel(r.vni(), r.tunnelIp());
        if (r.alsoTunnelIp() == null) {
            return to;
        }
        List<Action> both = new ArrayList<>(to.size() + 2);
        both.addAll(to);
        both.add(new Action.SetTunnelDst(r.alsoTunnelIp()));
        both.add(new Action.Output(DatapathPorts.TUNNEL));
        return List.copyOf(both);
    }

    /**
     * The actions of the flow from this host's trunk to local port {@code p}: back out of the trunk (IN_PORT), and
     * first, while the port has a twin, untagged into the tunnel to the twin.
     */
    static List<Action> fromTrunkToLocal(HostView.LocalPort p) {
        List<Action> trunk = FlowCompiler.toTrunk(p, DatapathPorts.IN_PORT);
        Ipv4 twin = p.twin();
        if (twin == null) {
            return trunk;
        }
        List<Action> both = new ArrayList<>(FlowCompiler.toTunnel(p.vni(), twin));
        both.addAll(trunk);
        return List.copyOf(both);
    }

    /**
     * The activation flows of an arriving port, none for the others: one for RARP and one for ARP, in the classify
     * table above the port's classify flow. Each sends the frame (still tagged) to the controller, then does what the
     * classify flow does.
     */
    static List<FlowEntry> activation(HostView.LocalPort p) {
        if (!p.arriving()) {
            return List.of();
        }
        return List.of(activation(p, ETH_TYPE_RARP), activation(p, ETH_TYPE_ARP));
    }

    private static FlowEntry activation(HostView.LocalPort p, int ethType) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TRUNK)
                .vlanVid(p.vlan().value())
                .ethSrc(p.mac())
                .ethType(ethType)
                .build();
        return new FlowEntry(
                FlowCompiler.TABLE_CLASSIFY,
                FlowCompiler.PRIORITY_ACTIVATION,
                Cookies.cookie(Cookies.ACTIVATE, p.vlan().value()),
                m,
                List.of(
                        apply(new Action.Output(DatapathPorts.CONTROLLER), new Action.PopVlan()),
                        new Instruction.WriteMetadata(p.vni().value(), FlowCompiler.VNI_METADATA_MASK),
                        new Instruction.GotoTable(FlowCompiler.TABLE_L2)));
    }
}
