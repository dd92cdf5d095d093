package io.portmesh.model.flow;

import static io.portmesh.model.flow.Instruction.apply;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles a host's view of the topology into its flow plan: the pipeline of DESIGN.md section 5, written so that a
 * stock Open vSwitch bridge could run it as well as our agent.
 *
 * <p>Two details that come from OpenFlow itself rather than from our design: an output to the port a frame came in on
 * is dropped unless it says IN_PORT, so trunk-to-trunk delivery has its own flows and buckets that output IN_PORT; and a
 * broadcast must not come back to its sender on the same trunk, so a frame flooded from the trunk uses a group per
 * source port that leaves that port out.
 */
public final class FlowCompiler {
    public static final int TABLE_CLASSIFY = 0;
    public static final int TABLE_L2 = 1;
    public static final long VNI_METADATA_MASK = 0xFF_FFFFL;
    public static final int PRIORITY_CLASSIFY = 100;
    public static final int PRIORITY_LOCAL_FROM_TRUNK = 110;
    public static final int PRIORITY_UNICAST = 100;
    public static final int PRIORITY_FLOOD_FROM_TRUNK = 60;
    public static final int PRIORITY_FLOOD_FROM_TUNNEL = 50;
    /** Group ids are derived, never allocated: the same view always yields the same plan. */
    public static final int GROUP_FLOOD_FROM_TUNNEL = 0x0100_0000;

    public static final int GROUP_FLOOD_FROM_TRUNK = 0x0200_0000;

    /**
     * Ports of one logical switch on one host. A broadcast from the trunk uses a group per source port listing every
     * other local port, so the plan grows with the square of this number, and a group-mod must stay within OpenFlow's
     * 64 KiB message (about 1,100 buckets). Binding past it is refused with a message that says so.
     */
    public static final int MAX_LOCAL_PORTS_PER_SWITCH = 256;

    private static final Mac MULTICAST_BIT = new Mac(0x0100_0000_0000L);

    private FlowCompiler() {}

    public static FlowPlan compile(HostView view) {
        List<FlowEntry> flows = new ArrayList<>();
        List<GroupEntry> groups = new ArrayList<>();
        Map<Vni, List<HostView.LocalPort>> localByVni = new TreeMap<>();
        view.localPorts()
                .forEach(p -> localByVni
                        .computeIfAbsent(p.vni(), v -> new ArrayList<>())
                        .add(p));
        Map<Vni, Set<Ipv4>> remoteHostsByVni = new TreeMap<>();

        for (HostView.LocalPort p : view.localPorts()) {
            flows.add(classifyTrunk(p));
            flows.add(localFromTrunk(p));
            flows.add(local(p));
        }
        for (HostView.RemotePort r : view.remotePorts()) {
            if (!localByVni.containsKey(r.vni())) {
                continue; // a host only carries the switches it has ports in
            }
            flows.add(remote(r));
            remoteHostsByVni
                    .computeIfAbsent(
                            r.vni(), v -> new TreeSet<>((a, b) -> Integer.compareUnsigned(a.value(), b.value())))
                    .add(r.tunnelIp());
        }
        localByVni.forEach((vni, locals) -> {
            Set<Ipv4> remotes = remoteHostsByVni.getOrDefault(vni, Set.of());
            flows.add(classifyTunnel(vni));
            flows.add(floodFromTunnel(vni));
            groups.add(new GroupEntry(
                    GROUP_FLOOD_FROM_TUNNEL | vni.value(),
                    locals.stream()
                            .map(l -> new GroupEntry.Bucket(toTrunk(l, DatapathPorts.TRUNK)))
                            .toList()));
            for (HostView.LocalPort src : locals) {
                flows.add(floodFromTrunk(src));
                List<GroupEntry.Bucket> buckets = new ArrayList<>();
                locals.stream()
                        .filter(l -> !l.equals(src))
                        .forEach(l -> buckets.add(new GroupEntry.Bucket(toTrunk(l, DatapathPorts.IN_PORT))));
                remotes.forEach(ip -> buckets.add(new GroupEntry.Bucket(toTunnel(vni, ip))));
                groups.add(new GroupEntry(GROUP_FLOOD_FROM_TRUNK | src.vlan().value(), buckets));
            }
        });
        return FlowPlan.of(flows, groups);
    }

    /** A frame on the trunk with the port's VLAN and the port's own MAC belongs to the port's switch; others drop. */
    private static FlowEntry classifyTrunk(HostView.LocalPort p) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TRUNK)
                .vlanVid(p.vlan().value())
                .ethSrc(p.mac())
                .build();
        return new FlowEntry(
                TABLE_CLASSIFY,
                PRIORITY_CLASSIFY,
                Cookies.cookie(Cookies.CLASSIFY_TRUNK, p.vlan().value()),
                m,
                List.of(
                        apply(new Action.PopVlan()),
                        new Instruction.WriteMetadata(p.vni().value(), VNI_METADATA_MASK),
                        new Instruction.GotoTable(TABLE_L2)));
    }

    private static FlowEntry classifyTunnel(Vni vni) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TUNNEL)
                .tunnelId(vni.value())
                .build();
        return new FlowEntry(
                TABLE_CLASSIFY,
                PRIORITY_CLASSIFY,
                Cookies.cookie(Cookies.CLASSIFY_TUNNEL, vni.value()),
                m,
                List.of(
                        new Instruction.WriteMetadata(vni.value(), VNI_METADATA_MASK),
                        new Instruction.GotoTable(TABLE_L2)));
    }

    private static FlowEntry localFromTrunk(HostView.LocalPort p) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TRUNK)
                .metadata(p.vni().value(), VNI_METADATA_MASK)
                .ethDst(p.mac())
                .build();
        return new FlowEntry(
                TABLE_L2,
                PRIORITY_LOCAL_FROM_TRUNK,
                Cookies.cookie(Cookies.LOCAL_FROM_TRUNK, p.vlan().value()),
                m,
                List.of(new Instruction.ApplyActions(toTrunk(p, DatapathPorts.IN_PORT))));
    }

    private static FlowEntry local(HostView.LocalPort p) {
        FlowMatch m = FlowMatch.builder()
                .metadata(p.vni().value(), VNI_METADATA_MASK)
                .ethDst(p.mac())
                .build();
        return new FlowEntry(
                TABLE_L2,
                PRIORITY_UNICAST,
                Cookies.cookie(Cookies.LOCAL, p.vlan().value()),
                m,
                List.of(new Instruction.ApplyActions(toTrunk(p, DatapathPorts.TRUNK))));
    }

    private static FlowEntry remote(HostView.RemotePort r) {
        FlowMatch m = FlowMatch.builder()
                .metadata(r.vni().value(), VNI_METADATA_MASK)
                .ethDst(r.mac())
                .build();
        return new FlowEntry(
                TABLE_L2,
                PRIORITY_UNICAST,
                Cookies.cookie(Cookies.REMOTE, r.mac().value()),
                m,
                List.of(new Instruction.ApplyActions(toTunnel(r.vni(), r.tunnelIp()))));
    }

    private static FlowEntry floodFromTrunk(HostView.LocalPort src) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TRUNK)
                .metadata(src.vni().value(), VNI_METADATA_MASK)
                .ethSrc(src.mac())
                .ethDst(MULTICAST_BIT, MULTICAST_BIT)
                .build();
        return new FlowEntry(
                TABLE_L2,
                PRIORITY_FLOOD_FROM_TRUNK,
                Cookies.cookie(Cookies.FLOOD_FROM_TRUNK, src.vlan().value()),
                m,
                List.of(apply(
                        new Action.Group(GROUP_FLOOD_FROM_TRUNK | src.vlan().value()))));
    }

    /** Frames from the tunnel are flooded to local ports only: never back into the tunnel (split horizon). */
    private static FlowEntry floodFromTunnel(Vni vni) {
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TUNNEL)
                .metadata(vni.value(), VNI_METADATA_MASK)
                .ethDst(MULTICAST_BIT, MULTICAST_BIT)
                .build();
        return new FlowEntry(
                TABLE_L2,
                PRIORITY_FLOOD_FROM_TUNNEL,
                Cookies.cookie(Cookies.FLOOD_FROM_TUNNEL, vni.value()),
                m,
                List.of(apply(new Action.Group(GROUP_FLOOD_FROM_TUNNEL | vni.value()))));
    }

    private static List<Action> toTrunk(HostView.LocalPort p, int outPort) {
        return List.of(new Action.PushVlan(), new Action.SetVlanVid(p.vlan().value()), new Action.Output(outPort));
    }

    private static List<Action> toTunnel(Vni vni, Ipv4 remote) {
        return List.of(
                new Action.SetTunnelId(vni.value()),
                new Action.SetTunnelDst(remote),
                new Action.Output(DatapathPorts.TUNNEL));
    }
}
