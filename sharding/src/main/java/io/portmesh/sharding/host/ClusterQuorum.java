package io.portmesh.sharding.host;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Whether this node sees a majority of the cluster's members reachable: the fence a Host entity checks before it
 * elects a master (docs/architecture.md section 7.3, "Partition").
 *
 * <p>Why: a node cut off from the others keeps its agent connections (OpenFlow is another network path) and its Host
 * entities, until its own split brain resolver downs it. Meanwhile the majority downs it and starts those hosts
 * again with a higher generation; the agents demote the cut-off node's connections. Without this fence, the cut-off
 * incarnation would see itself demoted by "something newer" and elect past it, once a second, fighting the majority
 * for the switch until its process exits. With it, a node on the minority side never takes a switch.
 *
 * <p>Counted: members Up, WeaklyUp or Leaving (a leaving node still votes until it is gone; Joining and Down ones
 * do not). A node that is not itself counted (still joining, or downed) holds no quorum.
 */
public final class ClusterQuorum {
    private ClusterQuorum() {}

    public static boolean held(Address self, Map<Address, MemberStatus> members, Set<Address> unreachable) {
        Set<Address> voters = new HashSet<>();
        members.forEach((a, st) -> {
            if (st == MemberStatus.up() || st == MemberStatus.weaklyUp() || st == MemberStatus.leaving()) {
                voters.add(a);
            }
        });
        if (!voters.contains(self) || unreachable.contains(self)) {
            return false;
        }
        long reachable = voters.stream().filter(a -> !unreachable.contains(a)).count();
        return reachable * 2 > voters.size();
    }

    /**
     * The fence of this node's cluster as it knows it now. A node that knows no members at all has joined no cluster
     * (a Host entity spawned outside sharding, in tests): nobody to be cut off from, so the fence is open. A node in
     * a cluster always knows at least itself before sharding starts any entity on it, and a downed one still knows
     * the others.
     */
    public static BooleanSupplier of(Cluster cluster) {
        return () -> {
            CurrentClusterState state = cluster.state();
            if (!state.getMembers().iterator().hasNext()) {
                return true;
            }
            Map<Address, MemberStatus> members = new HashMap<>();
            state.getMembers().forEach(m -> members.put(m.address(), m.status()));
            Set<Address> unreachable = new HashSet<>();
            state.getUnreachable().forEach(m -> unreachable.add(m.address()));
            return held(cluster.selfMember().address(), members, unreachable);
        };
    }
}
