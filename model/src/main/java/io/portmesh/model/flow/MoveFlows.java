package io.portmesh.model.flow;

import static io.portmesh.model.flow.Instruction.apply;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a live port move (docs/architecture.md section 7.1) adds to {@link FlowCompiler}'s flows. While a port moves
 * from host A to host B it is a local port on both, each naming the other as its {@code twin} (and arriving on B). Its
 * peers keep sending to A only: every frame for the VM reaches B through A, after A delivered it, so that it is
 * delivered on one side of the VM's move at least, however late A's path is (the relay through the source).
 *
 * <ul>
 *   <li>on the source (a twin, not arriving) every frame for the port is delivered on the trunk first, then copied
 *       to the twin ({@link #fromTrunkToLocal}, {@link #fromTunnelToLocal}; from the tunnel back out of it, IN_PORT):
 *       a copy that reaches A's port group after the VM left it reaches B's after the VM arrived there, because it
 *       left A later still. A keeps doing so after the activation until it lets the port go, so that frames peers
 *       sent to A before they were re-pointed follow the VM;
 *   <li>on the destination (arriving) a frame from its own trunk for the port goes to the twin only: it comes back
 *       through A as every other frame does, and is delivered here from the tunnel (the {@code LOCAL} flow is
 *       unchanged: from the tunnel, the trunk only, so no frame goes back from B to A and there is no A-B loop);
 *   <li>an arriving port's RARP and ARP (gratuitous ARP included) from its own MAC on its own VLAN go to the controller
 *       and are classified as any frame of the port ({@link #activation}): the VM announces that it runs here now,
 *       and its frame is still forwarded;
 *   <li>on the source, after it let the port go (its local flows replaced by a remote member's on the destination),
 *       for a grace time: a frame for the port that reaches it from the tunnel (a peer sent it before it was
 *       re-pointed, and it was in flight or queued here) is sent on to the destination, back into the tunnel
 *       ({@link #straggler}, IN_PORT), where split horizon would drop it. The only unicast flow that sends what came
 *       from the tunnel back into it apart from the relay above. It cannot make a loop: the destination holds the port
 *       as local by then (its arriving binding is made before the move starts and stays until it lets the port go in
 *       turn), and from the tunnel a local port's flow goes to the trunk only, unless that host is itself the source
 *       of a later move or has let the port go in turn. A frame can come back here only if the port is bound here
 *       again, and a host that binds the port drops its straggler flow in that same plan change (rule 8 of
 *       {@link FlowCompiler}: a local port wins). The one case that plan change cannot reach is an agent cut off
 *       from every controller, which keeps its flows (fail-secure): were the port then moved back here from a host
 *       that relays it, the two would send its frames to each other. So the flow also carries a hard timeout (the
 *       departed port's {@code lifetime}, a little over the grace), after which the agent removes it by itself.
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

    /**
     * The actions of the unicast flow to a remote member: to its host, and when its host has a standby switch VM to
     * that one too (a moving member's {@code alsoTunnelIp} is its host's standby, not the destination: frames reach
     * the destination through the source, see above).
     */
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
     * A local port's flow for frames from this host's trunk to it ({@link #fromTrunkToLocal}): above the flood and
     * unicast flows, since trunk-to-trunk needs IN_PORT.
     */
    static FlowEntry localFromTrunk(HostView.LocalPort p) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TRUNK)
                .metadata(p.vni().value(), FlowCompiler.VNI_METADATA_MASK)
                .ethDst(p.mac())
                .build();
        return new FlowEntry(
                FlowCompiler.TABLE_L2,
                FlowCompiler.PRIORITY_LOCAL_FROM_TRUNK,
                Cookies.cookie(Cookies.LOCAL_FROM_TRUNK, p.vlan().value()),
                m,
                List.of(new Instruction.ApplyActions(fromTrunkToLocal(p))));
    }

    /** A local port's unicast flow, which frames from the tunnel take ({@link #fromTunnelToLocal}). */
    static FlowEntry localFromTunnel(HostView.LocalPort p) {
        return new FlowEntry(
                FlowCompiler.TABLE_L2,
                FlowCompiler.PRIORITY_UNICAST,
                Cookies.cookie(Cookies.LOCAL, p.vlan().value()),
                FlowCompiler.unicastMatch(p.vni(), p.mac()),
                List.of(new Instruction.ApplyActions(fromTunnelToLocal(p))));
    }

    /**
     * The actions of the flow from this host's trunk to local port {@code p}: back out of the trunk (IN_PORT); while it
     * moves away from here, then untagged into the tunnel to its twin; while it arrives here, into the tunnel to its
     * twin only (it comes back delivered by the source).
     */
    private static List<Action> fromTrunkToLocal(HostView.LocalPort p) {
        Ipv4 twin = p.twin();
        if (twin == null) {
            return FlowCompiler.toTrunk(p, DatapathPorts.IN_PORT);
        }
        if (p.arriving()) {
            return FlowCompiler.toTunnel(p.vni(), twin);
        }
        return deliverThenRelay(p, DatapathPorts.IN_PORT, DatapathPorts.TUNNEL);
    }

    /**
     * The actions of the flow from the tunnel to local port {@code p}: out of the trunk; while it moves away from here,
     * then back into the tunnel (IN_PORT) to its twin. An arriving port's frames from the tunnel only go to the trunk.
     */
    private static List<Action> fromTunnelToLocal(HostView.LocalPort p) {
        if (p.twin() == null || p.arriving()) {
            return FlowCompiler.toTrunk(p, DatapathPorts.TRUNK);
        }
        return deliverThenRelay(p, DatapathPorts.TRUNK, DatapathPorts.IN_PORT);
    }

    /** To the trunk first, then (the tag popped) to the twin: the twin's copy leaves after the local one. */
    private static List<Action> deliverThenRelay(HostView.LocalPort p, int trunkOut, int tunnelOut) {
        List<Action> both = new ArrayList<>(FlowCompiler.toTrunk(p, trunkOut));
        both.add(new Action.PopVlan());
        both.add(new Action.SetTunnelId(p.vni().value()));
        both.add(new Action.SetTunnelDst(p.twin()));
        both.add(new Action.Output(tunnelOut));
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

    /** Of two departed ports with one MAC in a VNI, the one with the smaller port id, then destination, is kept. */
    private static final Comparator<HostView.DepartedPort> DEPARTED_ORDER = Comparator.comparing(
                    HostView.DepartedPort::port)
            .thenComparing(HostView.DepartedPort::to, FlowCompiler.TUNNEL_ORDER);

    /**
     * Adds the straggler flows of the ports this host let go of ({@code departed}) to {@code flows}: none for a MAC
     * that a taken local port holds in its VNI ({@code localMacs}: the port is bound here again, or another port has
     * its MAC; its own flows decide), one per MAC and VNI (the first in {@link #DEPARTED_ORDER}). A VNI that has no
     * taken local port gets its classify flow for the tunnel too, without which nothing from the tunnel reaches the
     * straggler flow (and nothing else: no flood, no other member's flow). Makes no conflict: a departed port is
     * never a winner over anything, and goes with its grace time.
     */
    static void addStragglers(
            List<HostView.DepartedPort> departed, Map<Vni, Map<Mac, PortId>> localMacs, List<FlowEntry> flows) {
        if (departed.isEmpty()) {
            return;
        }
        Map<Vni, Map<Mac, HostView.DepartedPort>> kept = new TreeMap<>();
        for (HostView.DepartedPort d : departed) {
            Map<Mac, PortId> local = localMacs.get(d.vni());
            if (local == null || !local.containsKey(d.mac())) {
                kept.computeIfAbsent(d.vni(), v -> new TreeMap<>())
                        .merge(d.mac(), d, (a, b) -> DEPARTED_ORDER.compare(a, b) <= 0 ? a : b);
            }
        }
        kept.forEach((vni, byMac) -> {
            if (!localMacs.containsKey(vni)) {
                flows.add(FlowCompiler.classifyTunnel(vni));
            }
            byMac.values().forEach(d -> flows.add(straggler(d)));
        });
    }

    /**
     * From the tunnel, for the MAC of a port let go of here: back into the tunnel (IN_PORT) to the host it moved to,
     * above the remote member's flow that would drop it there (no output into the port a frame came from).
     */
    static FlowEntry straggler(HostView.DepartedPort d) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TUNNEL)
                .metadata(d.vni().value(), FlowCompiler.VNI_METADATA_MASK)
                .ethDst(d.mac())
                .build();
        return new FlowEntry(
                FlowCompiler.TABLE_L2,
                FlowCompiler.PRIORITY_STRAGGLER,
                Cookies.cookie(Cookies.STRAGGLER, d.mac().value()),
                m,
                List.of(apply(
                        new Action.SetTunnelId(d.vni().value()),
                        new Action.SetTunnelDst(d.to()),
                        new Action.Output(DatapathPorts.IN_PORT))),
                d.lifetime());
    }
}
