package io.portmesh.model.flow;

import static io.portmesh.model.flow.Instruction.apply;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Compiles a host's view of the topology into its flow plan: the pipeline of docs/architecture.md section 5, written so that a
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
     * Groups that flood a VNI's frames to its remote hosts, {@link #REMOTE_HOSTS_PER_GROUP} hosts each: chunk
     * {@code c} of VNI {@code v} has id {@code GROUP_FLOOD_TO_TUNNEL + (c << 24) | v}. Shared by every local source
     * of the VNI (a new remote host changes one group, not one per local port), and split so that a group-mod stays
     * far inside OpenFlow's 64 KiB message however many hosts a switch spans.
     */
    public static final int GROUP_FLOOD_TO_TUNNEL = 0x0300_0000;

    /** About 64 bytes a bucket (set tunnel id, set tunnel destination, output): 512 of them make a 32 KiB group-mod. */
    public static final int REMOTE_HOSTS_PER_GROUP = 512;

    /** Chunk ids stay below OpenFlow's reserved group numbers (0xffffff00 and up). */
    public static final int MAX_REMOTE_HOST_GROUPS = 0xF0 - 0x03;

    /**
     * Ports of one logical switch on one host. A broadcast from the trunk uses a group per source port listing every
     * other local port, so the plan grows with the square of this number, and a group-mod must stay within OpenFlow's
     * 64 KiB message (about 1,100 buckets). Binding past it is refused with a message that says so. (Remote hosts do
     * not count here: they are flooded to through shared groups, see {@link #GROUP_FLOOD_TO_TUNNEL}.)
     */
    public static final int MAX_LOCAL_PORTS_PER_SWITCH = 256;

    /** The order of remote hosts in the flood-to-tunnel groups: by address, unsigned. */
    static final Comparator<Ipv4> TUNNEL_ORDER = (a, b) -> Integer.compareUnsigned(a.value(), b.value());

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
                    .computeIfAbsent(r.vni(), v -> new TreeSet<>(TUNNEL_ORDER))
                    .add(r.tunnelIp());
        }
        localByVni.forEach((vni, locals) -> {
            List<Ipv4> remotes = List.copyOf(remoteHostsByVni.getOrDefault(vni, Set.of()));
            flows.add(classifyTunnel(vni));
            flows.add(floodFromTunnel(vni));
            groups.add(new GroupEntry(
                    GROUP_FLOOD_FROM_TUNNEL | vni.value(),
                    locals.stream()
                            .map(l -> new GroupEntry.Bucket(toTrunk(l, DatapathPorts.TRUNK)))
                            .toList()));
            List<GroupEntry> toTunnel = tunnelGroups(vni, remotes);
            groups.addAll(toTunnel);
            List<Integer> tunnelGroupIds =
                    toTunnel.stream().map(GroupEntry::groupId).toList();
            for (HostView.LocalPort src : locals) {
                flows.add(floodFromTrunk(src, tunnelGroupIds));
                groups.add(new GroupEntry(
                        GROUP_FLOOD_FROM_TRUNK | src.vlan().value(),
                        locals.stream()
                                .filter(l -> !l.equals(src))
                                .map(l -> new GroupEntry.Bucket(toTrunk(l, DatapathPorts.IN_PORT)))
                                .toList()));
            }
        });
        return FlowPlan.of(flows, groups);
    }

    /**
     * The groups that flood a VNI's frames to its remote hosts ({@code remotes} in {@link #TUNNEL_ORDER}), at most
     * {@link #REMOTE_HOSTS_PER_GROUP} hosts each; none when there is no remote host.
     */
    static List<GroupEntry> tunnelGroups(Vni vni, List<Ipv4> remotes) {
        List<GroupEntry> groups = new ArrayList<>();
        for (int from = 0, chunk = 0; from < remotes.size(); from += REMOTE_HOSTS_PER_GROUP, chunk++) {
            if (chunk == MAX_REMOTE_HOST_GROUPS) {
                throw new IllegalArgumentException("VNI " + vni.value() + " spans " + remotes.size()
                        + " remote hosts; at most " + MAX_REMOTE_HOST_GROUPS * REMOTE_HOSTS_PER_GROUP
                        + " can be flooded to");
            }
            groups.add(new GroupEntry(
                    tunnelGroupId(vni, chunk),
                    remotes.subList(from, Math.min(remotes.size(), from + REMOTE_HOSTS_PER_GROUP)).stream()
                            .map(ip -> new GroupEntry.Bucket(toTunnel(vni, ip)))
                            .toList()));
        }
        return groups;
    }

    /** The ids of {@link #tunnelGroups} for {@code remoteHosts} hosts, without building the groups. */
    static List<Integer> tunnelGroupIds(Vni vni, int remoteHosts) {
        List<Integer> ids = new ArrayList<>();
        for (int chunk = 0; chunk * REMOTE_HOSTS_PER_GROUP < remoteHosts; chunk++) {
            ids.add(tunnelGroupId(vni, chunk));
        }
        return ids;
    }

    private static int tunnelGroupId(Vni vni, int chunk) {
        return GROUP_FLOOD_TO_TUNNEL + (chunk << 24) | vni.value();
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

    static FlowEntry remote(HostView.RemotePort r) {
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

    /** To the other local ports of the switch (a group per source) and to every remote host (the shared groups). */
    static FlowEntry floodFromTrunk(HostView.LocalPort src, List<Integer> tunnelGroups) {
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
                List.of(new Instruction.ApplyActions(Stream.concat(
                                Stream.of(GROUP_FLOOD_FROM_TRUNK | src.vlan().value()), tunnelGroups.stream())
                        .<Action>map(Action.Group::new)
                        .toList())));
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
