package io.portmesh.model.flow;

import static io.portmesh.model.flow.Instruction.apply;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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
 *
 * <p>Compiling is total: a view whose inputs conflict (two of them would make flows or groups with one key, or a
 * frame on the trunk could belong to two ports) still compiles. Each conflict is resolved by the rules below, which
 * depend on the inputs alone and never on their order, and is listed as a {@link Conflict} by
 * {@link #compileWithConflicts}; {@link PlanSlice} applies the same rules change by change and always agrees. The
 * input left out simply has no part in the plan. The rules apply to one host's view; two hosts may resolve one
 * conflict differently (each keeps its own local port), which is why the conflicts are counted and logged.
 *
 * <ol>
 *   <li>Equal entries in a list are one entry.
 *   <li>Local ports are taken by port id (then VNI, VLAN, MAC, twin (none first, then unsigned), not arriving
 *       first): a local port is left out whole when a local port taken before it has its VLAN anywhere on the host
 *       ({@link Conflict.Kind#LOCAL_VLAN}: a VLAN names one port on the trunk), or else its MAC in its VNI
 *       ({@link Conflict.Kind#LOCAL_MAC}). So of two ports that share one, the one with the smaller port id wins (and
 *       of two different entries for one port, the first in that order: the other is a
 *       {@link Conflict.Kind#LOCAL_VLAN} held by the port itself). A VNI takes at most
 *       {@link #MAX_LOCAL_PORTS_PER_SWITCH} local ports, the first ones; those past it are left out
 *       ({@link Conflict.Kind#LOCAL_LIMIT}), so that no group outgrows an OpenFlow message however the host came to
 *       hold them.
 *   <li>A host carries a VNI when it has a local port there that was taken; remote members of other VNIs make
 *       nothing and so conflict with nothing.
 *   <li>Of two different entries for one remote member (same VNI and port id), the one with the smaller MAC, then
 *       the smaller tunnel endpoint (unsigned), then the smaller {@code alsoTunnelIp} (none first), is kept
 *       ({@link Conflict.Kind#REMOTE_PORT_TWICE}).
 *   <li>A local port wins over a remote member with its MAC in its VNI ({@link Conflict.Kind#REMOTE_MAC_LOCAL}): the
 *       host's own persisted binding is authoritative for its own trunk. Whichever side is stale (in issue 15, the
 *       local binding of a port whose bind timed out) is for the port side to remove; when it goes, the member gets
 *       its flow.
 *   <li>Of remote members sharing a MAC in a VNI, the one with the smallest port id wins ({@link
 *       Conflict.Kind#REMOTE_MAC}). A member left out counts for nothing: no unicast flow, and its host is flooded
 *       to only if another member there is kept.
 *   <li>A VNI floods to at most {@link #MAX_FLOOD_HOSTS} remote hosts, the lowest addresses (unsigned); past it one
 *       {@link Conflict.Kind#FLOOD_LIMIT} is listed for the VNI, and the other hosts' members keep their unicast
 *       flows.
 *   <li>A live move changes no winner, and a port this host let go of after it moved away makes a straggler flow
 *       unless a taken local port has its MAC: see {@link MoveFlows}.
 * </ol>
 *
 * <p>A port id both local and remote with different MACs is no conflict for the plan (its flows differ); the stale
 * side is for the port to correct.
 */
public final class FlowCompiler {
    public static final int TABLE_CLASSIFY = 0;
    public static final int TABLE_L2 = 1;
    public static final long VNI_METADATA_MASK = 0xFF_FFFFL;
    public static final int PRIORITY_CLASSIFY = 100;
    public static final int PRIORITY_LOCAL_FROM_TRUNK = 110;
    public static final int PRIORITY_UNICAST = 100;
    /** Above a remote member's unicast flow, which a straggler from the tunnel matches too ({@link MoveFlows}). */
    public static final int PRIORITY_STRAGGLER = 105;

    public static final int PRIORITY_FLOOD_FROM_TRUNK = 60;
    public static final int PRIORITY_FLOOD_FROM_TUNNEL = 50;
    /** An arriving port's RARP and ARP ({@link MoveFlows#activation}): above its classify flow, which matches too. */
    public static final int PRIORITY_ACTIVATION = 120;
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

    /** The remote hosts a VNI can flood to; past it the hosts with the highest addresses are left out. */
    public static final int MAX_FLOOD_HOSTS = MAX_REMOTE_HOST_GROUPS * REMOTE_HOSTS_PER_GROUP;

    /**
     * Ports of one logical switch on one host. A broadcast from the trunk uses a group per source port listing every
     * other local port, so the plan grows with the square of this number, and a group-mod must stay within OpenFlow's
     * 64 KiB message (about 1,100 buckets). Binding past it is refused with a message that says so, and the compiler
     * leaves out the ports past it (rule 2). (Remote hosts do not count here: they are flooded to through shared
     * groups, see {@link #GROUP_FLOOD_TO_TUNNEL}.)
     */
    public static final int MAX_LOCAL_PORTS_PER_SWITCH = 256;

    /** The order of remote hosts in the flood-to-tunnel groups: by address, unsigned. */
    static final Comparator<Ipv4> TUNNEL_ORDER = (a, b) -> Integer.compareUnsigned(a.value(), b.value());

    /** {@link #TUNNEL_ORDER} for an endpoint that may be absent (a twin, an {@code alsoTunnelIp}): none first. */
    static final Comparator<Ipv4> MAYBE_TUNNEL_ORDER = Comparator.nullsFirst(TUNNEL_ORDER);

    private static final Mac MULTICAST_BIT = new Mac(0x0100_0000_0000L);

    private FlowCompiler() {}

    /** A host's plan and the conflicts its view resolved, in {@link Conflict#ORDER}. */
    public record Compiled(FlowPlan plan, List<Conflict> conflicts) {
        public Compiled {
            conflicts = List.copyOf(conflicts);
        }
    }

    /** The plan of {@code view}, with every conflict resolved by the rules above (see {@link #compileWithConflicts}). */
    public static FlowPlan compile(HostView view) {
        return compileWithConflicts(view).plan();
    }

    /** The plan of {@code view} and the conflicts resolved in making it. Never throws. */
    public static Compiled compileWithConflicts(HostView view) {
        List<Conflict> conflicts = new ArrayList<>();
        List<FlowEntry> flows = new ArrayList<>();
        List<GroupEntry> groups = new ArrayList<>();
        Map<Vni, List<HostView.LocalPort>> localByVni = new TreeMap<>();
        Map<Vni, Map<Mac, PortId>> localMacs = new HashMap<>();
        for (HostView.LocalPort p : LocalAdmission.admit(view.localPorts(), conflicts)) {
            localByVni.computeIfAbsent(p.vni(), v -> new ArrayList<>()).add(p);
            localMacs.computeIfAbsent(p.vni(), v -> new HashMap<>()).put(p.mac(), p.port());
        }

        // one entry per remote member of a carried VNI, then one member per MAC
        Map<Vni, RemoteMembers> membersByVni = new TreeMap<>();
        for (HostView.RemotePort r : view.remotePorts()) {
            if (localByVni.containsKey(r.vni())) { // a host only carries the switches it has ports in
                membersByVni.computeIfAbsent(r.vni(), v -> new RemoteMembers()).add(r);
            }
        }
        Map<Vni, Set<Ipv4>> remoteHostsByVni = new TreeMap<>();
        membersByVni.forEach((vni, given) -> {
            given.givenTwice().forEach((port, n) -> {
                for (int i = 0; i < n; i++) {
                    conflicts.add(new Conflict(Conflict.Kind.REMOTE_PORT_TWICE, vni, port, port));
                }
            });
            Collection<HostView.RemotePort> members = given.byPort.values();
            Map<Mac, PortId> winners = new HashMap<>();
            for (HostView.RemotePort r : members) {
                winners.merge(r.mac(), r.port(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
            Map<Mac, PortId> macsHere = localMacs.get(vni);
            Set<Ipv4> hosts = new TreeSet<>(TUNNEL_ORDER);
            for (HostView.RemotePort r : members) {
                PortId local = macsHere.get(r.mac());
                PortId winner = winners.get(r.mac());
                if (local != null) {
                    conflicts.add(new Conflict(Conflict.Kind.REMOTE_MAC_LOCAL, vni, r.port(), local));
                } else if (!winner.equals(r.port())) {
                    conflicts.add(new Conflict(Conflict.Kind.REMOTE_MAC, vni, r.port(), winner));
                } else {
                    flows.add(remote(r));
                    MoveFlows.addHosts(r, hosts);
                }
            }
            remoteHostsByVni.put(vni, hosts);
        });

        for (List<HostView.LocalPort> locals : localByVni.values()) {
            for (HostView.LocalPort p : locals) {
                flows.add(classifyTrunk(p));
                flows.add(MoveFlows.localFromTrunk(p));
                flows.add(MoveFlows.localFromTunnel(p));
                flows.addAll(MoveFlows.activation(p));
            }
        }
        MoveFlows.addStragglers(view.departedPorts(), localMacs, flows);
        localByVni.forEach((vni, locals) -> {
            Set<Ipv4> hosts = remoteHostsByVni.computeIfAbsent(vni, v -> new TreeSet<>(TUNNEL_ORDER));
            MoveFlows.addTwins(locals, hosts);
            List<Ipv4> remotes = List.copyOf(hosts);
            if (remotes.size() > MAX_FLOOD_HOSTS) {
                conflicts.add(new Conflict(Conflict.Kind.FLOOD_LIMIT, vni, null, null));
            }
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
        conflicts.sort(Conflict.ORDER);
        return new Compiled(FlowPlan.of(flows, groups), conflicts);
    }

    /**
     * The groups that flood a VNI's frames to its remote hosts ({@code remotes} in {@link #TUNNEL_ORDER}), at most
     * {@link #REMOTE_HOSTS_PER_GROUP} hosts each; none when there is no remote host. Hosts past
     * {@link #MAX_FLOOD_HOSTS} are left out (rule 7).
     */
    static List<GroupEntry> tunnelGroups(Vni vni, List<Ipv4> remotes) {
        int hosts = Math.min(remotes.size(), MAX_FLOOD_HOSTS);
        List<GroupEntry> groups = new ArrayList<>();
        for (int from = 0, chunk = 0; from < hosts; from += REMOTE_HOSTS_PER_GROUP, chunk++) {
            groups.add(new GroupEntry(
                    tunnelGroupId(vni, chunk),
                    remotes.subList(from, Math.min(hosts, from + REMOTE_HOSTS_PER_GROUP)).stream()
                            .map(ip -> new GroupEntry.Bucket(toTunnel(vni, ip)))
                            .toList()));
        }
        return groups;
    }

    /** The ids of {@link #tunnelGroups} for {@code remoteHosts} hosts, without building the groups. */
    static List<Integer> tunnelGroupIds(Vni vni, int remoteHosts) {
        List<Integer> ids = new ArrayList<>();
        for (int chunk = 0; chunk * REMOTE_HOSTS_PER_GROUP < Math.min(remoteHosts, MAX_FLOOD_HOSTS); chunk++) {
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

    static FlowEntry classifyTunnel(Vni vni) {
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

    static FlowEntry remote(HostView.RemotePort r) {
        return new FlowEntry(
                TABLE_L2,
                PRIORITY_UNICAST,
                Cookies.cookie(Cookies.REMOTE, r.mac().value()),
                unicastMatch(r.vni(), r.mac()),
                List.of(new Instruction.ApplyActions(MoveFlows.toMember(r))));
    }

    /** The key of the unicast flow to {@code mac} in {@code vni}: a local port's or a remote member's. */
    static FlowEntry.FlowKey unicastKey(Vni vni, Mac mac) {
        return new FlowEntry.FlowKey(TABLE_L2, PRIORITY_UNICAST, unicastMatch(vni, mac));
    }

    static FlowMatch unicastMatch(Vni vni, Mac mac) {
        return FlowMatch.builder()
                .metadata(vni.value(), VNI_METADATA_MASK)
                .ethDst(mac)
                .build();
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

    static List<Action> toTrunk(HostView.LocalPort p, int outPort) {
        return List.of(new Action.PushVlan(), new Action.SetVlanVid(p.vlan().value()), new Action.Output(outPort));
    }

    static List<Action> toTunnel(Vni vni, Ipv4 remote) {
        return List.of(
                new Action.SetTunnelId(vni.value()),
                new Action.SetTunnelDst(remote),
                new Action.Output(DatapathPorts.TUNNEL));
    }
}
