package io.portmesh.sharding.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node's own view of the cluster at one moment, read from its local membership state without asking any other
 * node: what {@code GET /v1/cluster} shows at once, and what tells whether the cluster is re-balancing.
 *
 * @param selfAddress this node
 * @param leader the leader as this node sees it; null when there is none
 * @param members every member this node knows, in address order
 */
public record ClusterView(String selfAddress, String leader, List<MemberView> members) {
    /**
     * @param reachable false when this node's failure detector marked it unreachable
     */
    public record MemberView(String address, String status, List<String> roles, boolean reachable) {}

    public static ClusterView of(Cluster cluster) {
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<Member> unreachable = state.getUnreachable();
        List<MemberView> members = new ArrayList<>();
        for (Member m : state.getMembers()) {
            members.add(new MemberView(
                    m.address().toString(),
                    m.status().toString(),
                    List.copyOf(m.getRoles()),
                    !unreachable.contains(m)));
        }
        Address leader = state.getLeader();
        return new ClusterView(
                cluster.selfMember().address().toString(), leader == null ? null : leader.toString(), members);
    }

    /** The addresses of the members this node sees as unreachable. */
    public List<String> unreachable() {
        return members.stream()
                .filter(m -> !m.reachable())
                .map(MemberView::address)
                .toList();
    }
}
